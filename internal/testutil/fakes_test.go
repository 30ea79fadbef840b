package testutil

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"unsafe"

	"github.com/auditbridge/auditbridge/normalize"
)

// parsed returns events whose strings view a buffer the caller overwrites
// afterwards, as a source reusing its parser storage does.
func parsed(t *testing.T, ids ...string) ([]normalize.Event, []byte) {
	t.Helper()
	var evs []normalize.Event
	var bufs [][]byte
	for _, id := range ids {
		buf := []byte(`{"id":"` + id + `"}`)
		bufs = append(bufs, buf)
		evs = append(evs, normalize.Event{ID: unsafe.String(&buf[7], len(id)), Raw: json.RawMessage(buf)})
	}
	return evs, bufs[0]
}

func TestPublisherKeepsCopies(t *testing.T) {
	p := &Publisher{Fail: func(call int, _ []normalize.Event) error {
		if call == 2 {
			return errors.New("full")
		}
		return nil
	}}
	evs, buf := parsed(t, "a1", "b2")
	if err := p.Publish(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	if err := p.Publish(context.Background(), evs[:1]); err == nil {
		t.Fatal("the refused call was accepted")
	}
	copy(buf, "XXXXXXXXXX") // the source reuses its storage
	if got := p.IDs(); !slices.Equal(got, []string{"a1", "b2"}) || p.Calls() != 2 || len(p.Batches()) != 1 {
		t.Fatalf("ids %q, calls %d, batches %d", got, p.Calls(), len(p.Batches()))
	}
	if string(p.Events()[0].Raw) != `{"id":"a1"}` {
		t.Fatalf("raw %s changed with the source's buffer", p.Events()[0].Raw)
	}
}

func TestSinkKeepsCopies(t *testing.T) {
	s := &Sink{SinkName: "x", Respond: func(_ context.Context, call int, _ []normalize.Event) error {
		if call == 1 {
			return errors.New("down")
		}
		return nil
	}}
	evs, buf := parsed(t, "a1", "b2")
	if err := s.Send(context.Background(), evs); err == nil {
		t.Fatal("the failing call was accepted")
	}
	if err := s.Send(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	copy(buf, "XXXXXXXXXX")
	if evs := s.Events(); len(evs) != 2 || evs[0].ID != "a1" || string(evs[1].Raw) != `{"id":"b2"}` {
		t.Fatalf("events %+v", evs)
	}
	if s.Count("a1") != 1 || s.Count("b2") != 1 || s.Calls() != 2 || s.Name() != "x" {
		t.Fatalf("count a1 %d, b2 %d, calls %d", s.Count("a1"), s.Count("b2"), s.Calls())
	}
	if s.Closed() {
		t.Fatal("closed before Close")
	}
	_ = s.Close(context.Background())
	if !s.Closed() {
		t.Fatal("not closed after Close")
	}
}
