// Package syslog runs the syslog sink against a real syslog-ng (Debian's
// syslog-ng-core, started unprivileged in the foreground) with UDP, TCP
// (octet-counting), TCP (newline), TLS and mutual-TLS listeners, and reads
// back what syslog-ng's own RFC 5424 and RFC 3164 parsers made of our
// messages. The sink is driven by internal/syslogsend (a test driver), which
// prints every event id the sink counted as delivered.
package syslog
