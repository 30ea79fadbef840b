package normalize

import "strconv"

// OCSFVersion is the OCSF schema version the rendering follows
// (metadata.version).
const OCSFVersion = "1.3.0"

// renderOCSF writes the event as an OCSF 1.3 event of the class ocsfClass
// chooses, with empty fields omitted: category_uid = class_uid/1000,
// type_uid = class_uid*100 + activity_id, time in epoch milliseconds,
// metadata.uid and metadata.original_event_uid both the event id (the
// source's own id, or the content hash where the source has none),
// src_endpoint.ip only when the client IP parses (the original string is kept
// in unmapped.client_ip), raw_data the original record, and unmapped holding
// what OCSF has no attribute for.
func renderOCSF(w *jsonw, ev *Event) {
	class, activity, activityName := ocsfClass(ev)
	category := class / 1000
	w.b = append(w.b, '{')
	w.int("class_uid", int64(class))
	w.str("class_name", ocsfClassName(class))
	w.int("category_uid", int64(category))
	w.str("category_name", ocsfCategoryName(category))
	w.int("activity_id", int64(activity))
	w.str("activity_name", activityName)
	w.int("type_uid", int64(class*100+activity))
	w.key("type_name")
	w.b = append(w.b, '"')
	w.b = append(w.b, ocsfClassName(class)...)
	w.b = append(w.b, ": "...)
	w.b = append(w.b, activityName...)
	w.b = append(w.b, '"')
	w.int("time", ev.Time.UnixMilli())
	sev, sevName := ocsfSeverity(ev.Severity)
	w.int("severity_id", int64(sev))
	w.str("severity", sevName)
	st, stName := ocsfStatus(ev.Outcome)
	w.int("status_id", int64(st))
	w.str("status", stName)
	if ev.Request.StatusCode != 0 {
		w.key("status_code")
		w.b = append(w.b, '"')
		w.b = strconv.AppendInt(w.b, int64(ev.Request.StatusCode), 10)
		w.b = append(w.b, '"')
	}
	w.strOmit("message", ev.Message)
	ocsfMetadata(w, ev)
	ocsfActor(w, ev)
	ocsfTarget(w, ev, class)
	ocsfRequest(w, ev)
	ocsfCloud(w, ev)
	ocsfUnmapped(w, ev)
	if len(ev.Raw) > 0 {
		ecsOriginalAs(w, "raw_data", ev.Raw)
	}
	w.b = append(w.b, '}')
}

// OCSF class uids.
const (
	ocsfAccountChange  = 3001
	ocsfAuthentication = 3002
	ocsfUserAccess     = 3005
	ocsfGroupMgmt      = 3006
	ocsfAPIActivity    = 6003
)

// ocsfClass chooses the class and activity for an event:
//
//   - verb login/logout → Authentication 3002, activity 1 Logon / 2 Logoff;
//   - membership of a team or group (team_membership, iam.groups.members…)
//     → Group Management 3006: 3 Add User (create/update), 4 Remove User
//     (delete);
//   - a team's access to workspaces or projects (team_access, …) → Group
//     Management 3006: 1 Assign Privileges (create/update), 2 Revoke
//     Privileges (delete);
//   - a team or group itself → Group Management 3006: 6 Create, 5 Delete,
//     99 Other;
//   - roles, IAM policies, role bindings, permissions → User Access
//     Management 3005: 1 Assign Privileges (create/update), 2 Revoke
//     Privileges (delete);
//   - users, service principals, organization memberships, passwords, MFA →
//     Account Change 3001: 1 Create, 6 Delete, 3 Password Change (update of
//     a password), 99 Other;
//   - everything else → API Activity 6003: 1 Create, 2 Read, 3 Update,
//     4 Delete, 99 Other.
//
// The target is found by classify (resource type first, then action).
func ocsfClass(ev *Event) (class, activity int, activityName string) {
	switch ev.Verb {
	case VerbLogin:
		return ocsfAuthentication, 1, "Logon"
	case VerbLogout:
		return ocsfAuthentication, 2, "Logoff"
	}
	switch classify(ev) {
	case targetMembership:
		return pick(ocsfGroupMgmt, ev.Verb, 3, 4, "Add User", "Remove User")
	case targetGroupPrivilege:
		return pick(ocsfGroupMgmt, ev.Verb, 1, 2, "Assign Privileges", "Revoke Privileges")
	case targetPrivilege:
		return pick(ocsfUserAccess, ev.Verb, 1, 2, "Assign Privileges", "Revoke Privileges")
	case targetGroup:
		switch ev.Verb {
		case VerbCreate:
			return ocsfGroupMgmt, 6, "Create"
		case VerbDelete:
			return ocsfGroupMgmt, 5, "Delete"
		}
		return ocsfGroupMgmt, 99, "Other"
	case targetAccount:
		return accountActivity(ev)
	}
	switch ev.Verb {
	case VerbCreate:
		return ocsfAPIActivity, 1, "Create"
	case VerbRead:
		return ocsfAPIActivity, 2, "Read"
	case VerbUpdate:
		return ocsfAPIActivity, 3, "Update"
	case VerbDelete:
		return ocsfAPIActivity, 4, "Delete"
	}
	return ocsfAPIActivity, 99, "Other"
}

// pick maps create/update to the "add" activity and delete to the "remove"
// one; anything else is 99 Other.
func pick(class int, verb string, add, remove int, addName, removeName string) (int, int, string) {
	switch verb {
	case VerbCreate, VerbUpdate:
		return class, add, addName
	case VerbDelete:
		return class, remove, removeName
	}
	return class, 99, "Other"
}

func accountActivity(ev *Event) (int, int, string) {
	switch ev.Verb {
	case VerbCreate:
		return ocsfAccountChange, 1, "Create"
	case VerbDelete:
		return ocsfAccountChange, 6, "Delete"
	case VerbUpdate:
		if containsFold(ev.Resource.Type, "password") || containsFold(ev.Action, "password") {
			return ocsfAccountChange, 3, "Password Change"
		}
	}
	return ocsfAccountChange, 99, "Other"
}

func ocsfClassName(class int) string {
	switch class {
	case ocsfAccountChange:
		return "Account Change"
	case ocsfAuthentication:
		return "Authentication"
	case ocsfUserAccess:
		return "User Access Management"
	case ocsfGroupMgmt:
		return "Group Management"
	}
	return "API Activity"
}

func ocsfCategoryName(category int) string {
	if category == 3 {
		return "Identity & Access Management"
	}
	return "Application Activity"
}

// ocsfSeverity maps the native severity to severity_id: info(rmational) 1,
// low 2, medium/warn(ing) 3, high/error 4, critical 5, fatal 6, empty 0
// Unknown, anything else 99 Other.
func ocsfSeverity(s string) (int, string) {
	switch s {
	case "":
		return 0, "Unknown"
	case "info", "informational", "notice", "debug":
		return 1, "Informational"
	case "low":
		return 2, "Low"
	case "medium", "warn", "warning":
		return 3, "Medium"
	case "high", "error":
		return 4, "High"
	case "critical":
		return 5, "Critical"
	case "fatal":
		return 6, "Fatal"
	}
	return 99, "Other"
}

// ocsfStatus maps the outcome to status_id and status.
func ocsfStatus(outcome string) (int, string) {
	switch outcome {
	case OutcomeSuccess:
		return 1, "Success"
	case OutcomeFailure:
		return 2, "Failure"
	}
	return 0, "Unknown"
}

// ocsfUserType maps the actor type to user.type_id and type.
func ocsfUserType(t string) (int, string) {
	switch t {
	case ActorUser:
		return 1, "User"
	case ActorSystem:
		return 3, "System"
	case ActorService:
		return 99, "Service"
	}
	return 0, "Unknown"
}

// containsFold reports whether s contains the lower-case ASCII substr,
// ignoring ASCII case in s, without allocating.
func containsFold(s, substr string) bool {
	n := len(substr)
	for i := 0; i+n <= len(s); i++ {
		j := 0
		for ; j < n; j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != substr[j] {
				break
			}
		}
		if j == n {
			return true
		}
	}
	return false
}

func ocsfMetadata(w *jsonw, ev *Event) {
	w.open("metadata")
	w.str("version", OCSFVersion)
	w.open("product")
	w.str("name", productName(ev.Product))
	w.str("vendor_name", "HashiCorp")
	w.close()
	w.strOmit("uid", ev.ID)
	w.strOmit("original_event_uid", ev.ID)
	w.strOmit("correlation_uid", ev.Request.ID)
	w.strOmit("log_name", ev.Kind)
	w.strOmit("event_code", ev.Action)
	w.close()
}

func ocsfActor(w *jsonw, ev *Event) {
	a := &ev.Actor
	m := w.open("actor")
	mu := w.open("user")
	w.strOmit("uid", a.ID)
	w.strOmit("name", a.Name)
	w.strOmit("email_addr", a.Email)
	if a.Type != "" {
		id, name := ocsfUserType(a.Type)
		w.int("type_id", int64(id))
		w.str("type", name)
	}
	w.closeOmit(mu)
	w.closeOmit(m)
}

// ocsfTarget writes what the class requires about the target: user for
// Account Change and User Access Management, group for Group Management
// (from the resource; privileges is the action), and resources[] always.
func ocsfTarget(w *jsonw, ev *Event, class int) {
	r := &ev.Resource
	switch class {
	case ocsfAccountChange, ocsfUserAccess:
		m := w.open("user")
		w.strOmit("uid", r.ID)
		w.strOmit("name", r.Name)
		w.closeOmit(m)
	case ocsfGroupMgmt:
		m := w.open("group")
		w.strOmit("uid", r.ID)
		w.strOmit("name", r.Name)
		w.strOmit("type", r.Type)
		w.closeOmit(m)
	}
	if class == ocsfUserAccess || class == ocsfGroupMgmt {
		if ev.Action != "" {
			w.strs("privileges", ev.Action)
		}
	}
	if r.ID == "" && r.Name == "" && r.Type == "" {
		return
	}
	w.key("resources")
	w.b = append(w.b, '[', '{')
	w.strOmit("uid", r.ID)
	w.strOmit("type", r.Type)
	w.strOmit("name", r.Name)
	w.b = append(w.b, '}', ']')
}

// ocsfRequest writes src_endpoint, api, http_request and http_response.
func ocsfRequest(w *jsonw, ev *Event) {
	r := &ev.Request
	if validIP(r.ClientIP) {
		w.open("src_endpoint")
		w.str("ip", r.ClientIP)
		w.close()
	}
	m := w.open("api")
	w.strOmit("operation", ev.Action)
	mr := w.open("request")
	w.strOmit("uid", r.ID)
	w.closeOmit(mr)
	mr = w.open("response")
	w.intOmit("code", int64(r.StatusCode))
	w.closeOmit(mr)
	w.closeOmit(m)
	m = w.open("http_request")
	w.strOmit("http_method", r.Method)
	mu := w.open("url")
	w.strOmit("path", r.Path)
	w.closeOmit(mu)
	w.strOmit("user_agent", r.UserAgent)
	w.closeOmit(m)
	m = w.open("http_response")
	w.intOmit("code", int64(r.StatusCode))
	w.closeOmit(m)
}

// ocsfCloud writes cloud (required by the IAM classes): provider HCP, the
// organization and the project.
func ocsfCloud(w *jsonw, ev *Event) {
	w.open("cloud")
	w.str("provider", "HCP")
	m := w.open("org")
	w.strOmit("uid", ev.OrganizationID)
	w.closeOmit(m)
	w.strOmit("project_uid", ev.ProjectID)
	w.close()
}

// ocsfUnmapped writes the native fields OCSF has no attribute for.
func ocsfUnmapped(w *jsonw, ev *Event) {
	m := w.open("unmapped")
	w.strOmit("product", ev.Product)
	w.strOmit("kind", ev.Kind)
	w.strOmit("verb", ev.Verb)
	w.strOmit("category", ev.Category)
	w.strOmit("client_ip", ev.Request.ClientIP)
	w.strOmit("impersonator_id", ev.Actor.ImpersonatorID)
	if len(ev.Meta) > 0 {
		w.meta("meta", ev.Meta)
	}
	w.closeOmit(m)
}
