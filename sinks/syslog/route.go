package syslog

import (
	"fmt"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
)

// defaultFacility is authpriv, for a facility template that renders to no
// facility name.
const defaultFacility = 10

// templates are the per-event header fields: SYSLOG_APP_NAME and
// SYSLOG_FACILITY with ${field} (e.g. app_name = "${product}",
// facility = "${meta.facility:-authpriv}"). nil: fixed.
type templates struct {
	app, facility *bridge.Template
}

// parseTemplates returns cfg's header templates; an error names the setting.
func parseTemplates(appName, facility string) (templates, map[string]error) {
	var t templates
	errs := map[string]error{}
	if bridge.HasTemplate(appName) {
		a, err := bridge.ParseTemplate(appName)
		if err != nil {
			errs["SYSLOG_APP_NAME"] = err
		}
		t.app = a
	}
	if bridge.HasTemplate(facility) {
		f, err := bridge.ParseTemplate(facility)
		if err != nil {
			errs["SYSLOG_FACILITY"] = err
		}
		t.facility = f
	}
	return t, errs
}

// app is ev's APP-NAME (or TAG).
func (e *encoder) app(ev *normalize.Event) string {
	if e.tmpl.app != nil {
		return e.tmpl.app.Render(ev)
	}
	return e.appName
}

// facilityOf is ev's facility; a template rendering to no facility name
// gives authpriv.
func (e *encoder) facilityOf(ev *normalize.Event) int {
	if e.tmpl.facility == nil {
		return e.facility
	}
	n, err := parseFacility(e.tmpl.facility.Render(ev))
	if err != nil {
		return defaultFacility
	}
	return n
}

// Destination is ev's facility and app name with cfg, for `auditbridge
// route`.
func Destination(cfg Config, ev *normalize.Event) string {
	tmpl, _ := parseTemplates(cfg.AppName, cfg.Facility)
	facility, _ := parseFacility(cfg.Facility)
	e := encoder{appName: cfg.AppName, facility: facility, tmpl: tmpl}
	return fmt.Sprintf("facility=%d app_name=%s", e.facilityOf(ev), e.app(ev))
}
