package cloudwatch

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// cwServer speaks the CloudWatch Logs JSON 1.1 protocol (POST /,
// X-Amz-Target: Logs_20140328.<Operation>, Content-Type
// application/x-amz-json-1.1, SigV4-signed) for DescribeLogStreams and
// GetLogEvents, with small pages so paging tokens are exercised, and
// ThrottlingException answers on demand.
type cwServer struct {
	mu        sync.Mutex
	group     string
	streams   map[string][]cwEvent
	throttle  int            // the next this many calls answer ThrottlingException
	targets   map[string]int // calls per X-Amz-Target
	throttled int
	unsigned  int
	pageSize  int
	byKey     map[string]int // calls per access key id (SigV4 Credential=)
}

type cwEvent struct {
	TS  int64
	Msg string
}

func newCWServer(t *testing.T, group string) (*cwServer, *httptest.Server) {
	s := &cwServer{group: group, streams: map[string][]cwEvent{}, targets: map[string]int{}, pageSize: 3, byKey: map[string]int{}}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, ts
}

func (s *cwServer) add(stream string, evs ...cwEvent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.streams[stream] = append(s.streams[stream], evs...)
	sort.SliceStable(s.streams[stream], func(i, j int) bool { return s.streams[stream][i].TS < s.streams[stream][j].TS })
}

func (s *cwServer) fail(w http.ResponseWriter, typ, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", typ)
	w.WriteHeader(http.StatusBadRequest)
	json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}

func (s *cwServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	target := r.Header.Get("X-Amz-Target")
	s.targets[target]++
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 ") {
		s.unsigned++
	}
	if _, cred, ok := strings.Cut(auth, "Credential="); ok {
		key, _, _ := strings.Cut(cred, "/")
		s.byKey[key]++
	}
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
		s.fail(w, "SerializationException", "bad request")
		return
	}
	if s.throttle > 0 {
		s.throttle--
		s.throttled++
		s.fail(w, "ThrottlingException", "Rate exceeded")
		return
	}
	var in struct {
		LogGroupName  string `json:"logGroupName"`
		LogStreamName string `json:"logStreamName"`
		NextToken     string `json:"nextToken"`
		StartTime     *int64 `json:"startTime"`
		StartFromHead bool   `json:"startFromHead"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		s.fail(w, "SerializationException", err.Error())
		return
	}
	if in.LogGroupName != s.group {
		s.fail(w, "ResourceNotFoundException", "The specified log group does not exist.")
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	switch target {
	case "Logs_20140328.DescribeLogStreams":
		s.describe(w, in.NextToken)
	case "Logs_20140328.GetLogEvents":
		s.get(w, in.LogStreamName, in.NextToken, in.StartTime)
	default:
		s.fail(w, "UnknownOperationException", target)
	}
}

// describe pages the stream names two at a time.
func (s *cwServer) describe(w http.ResponseWriter, token string) {
	names := make([]string, 0, len(s.streams))
	for n := range s.streams {
		names = append(names, n)
	}
	sort.Strings(names)
	from, _ := strconv.Atoi(token)
	to := min(from+2, len(names))
	out := map[string]any{}
	var list []map[string]any
	for _, n := range names[from:to] {
		list = append(list, map[string]any{"logStreamName": n, "arn": "arn:aws:logs:us-east-1:111111111111:log-group:" + s.group + ":log-stream:" + n})
	}
	out["logStreams"] = list
	if to < len(names) {
		out["nextToken"] = strconv.Itoa(to)
	}
	json.NewEncoder(w).Encode(out)
}

// get pages a stream's events from startTime; a forward token is
// "f/<index>"; at the end the token passed in comes back.
func (s *cwServer) get(w http.ResponseWriter, stream, token string, start *int64) {
	evs, ok := s.streams[stream]
	if !ok {
		s.fail(w, "ResourceNotFoundException", "The specified log stream does not exist.")
		return
	}
	from := 0
	if token != "" {
		from, _ = strconv.Atoi(strings.TrimPrefix(token, "f/"))
	} else if start != nil {
		for from < len(evs) && evs[from].TS < *start {
			from++
		}
	}
	to := min(from+s.pageSize, len(evs))
	var page []map[string]any
	for _, e := range evs[from:to] {
		page = append(page, map[string]any{"timestamp": e.TS, "message": e.Msg, "ingestionTime": e.TS + 5})
	}
	next := "f/" + strconv.Itoa(to)
	if to == from && token != "" {
		next = token
	}
	json.NewEncoder(w).Encode(map[string]any{"events": page, "nextForwardToken": next, "nextBackwardToken": "b/" + strconv.Itoa(from)})
}
