package simulate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// PostHEC sends records in one request to a HEC event endpoint
// (…/services/collector/event), each wrapped as {"time","sourcetype","event"}
// the way HCP's streaming destination posts them. It returns an error unless
// the receiver answered 200.
func PostHEC(ctx context.Context, client *http.Client, url, token string, records [][]byte) error {
	var body bytes.Buffer
	now := float64(time.Now().UnixMilli()) / 1000
	for _, r := range records {
		w, _ := json.Marshal(struct {
			Time       float64         `json:"time"`
			Sourcetype string          `json:"sourcetype"`
			Event      json.RawMessage `json:"event"`
		}{now, "hashicorp:hcp:audit", r})
		body.Write(w)
		body.WriteByte('\n')
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, &body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Splunk "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("simulate: HEC answered %d: %s", resp.StatusCode, bytes.TrimSpace(reply))
	}
	return nil
}
