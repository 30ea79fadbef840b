package normalize

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
//   - everything else → API Activity 6003: 1 Create, 2 Read (list too:
//     OCSF has no List activity, and activity_name is the caption of
//     activity_id, so a list is 2 "Read"; unmapped.verb and api.operation
//     keep the list), 3 Update, 4 Delete, 99 Other.
//
// The target is found by classify (resource type first, then action).
func ocsfClass(ev *Event) (class, activity int, activityName string) {
	switch ev.Verb {
	case VerbLogin:
		return ocsfAuthentication, 1, "Logon"
	case VerbLogout:
		return ocsfAuthentication, 2, "Logoff"
	}
	if isAgentKind(ev.Kind) { // Vault, Nomad, Consul: API calls (SCHEMA.md)
		return apiActivity(ev.Verb)
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
	return apiActivity(ev.Verb)
}

// apiActivity is API Activity 6003 with the verb's activity.
func apiActivity(verb string) (int, int, string) {
	switch verb {
	case VerbCreate:
		return ocsfAPIActivity, 1, "Create"
	case VerbRead, VerbList:
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
	case ActorAnonymous:
		return 99, "Anonymous" // OCSF has no anonymous user type: Other, named
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
