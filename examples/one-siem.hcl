# One SIEM: everything to Splunk, except HCP's streaming test event.
#
#   auditbridge check --config examples/one-siem.hcl
#   auditbridge run   --config examples/one-siem.hcl
#
# Every attribute is an environment variable without AUDITBRIDGE_ and the
# kind's prefix, in lower case (AUDITBRIDGE_SPLUNK_URL -> url); a set
# environment variable overrides the file. `auditbridge env` lists them all.

data_dir   = "/var/lib/auditbridge"
admin_addr = "127.0.0.1:9880"

# HCP audit-log streaming posts here (Splunk HEC protocol).
source "hec" {
  addr   = "0.0.0.0:8088"
  tokens = env("HEC_TOKENS") # never inline: env("NAME") or file("path")
}

# HCP Terraform audit trail, polled.
source "tfc" {
  token = env("TFC_TOKEN")
}

sink "splunk" "siem" {
  url        = "https://splunk.example.com:8088"
  token      = env("SPLUNK_TOKEN")
  index      = "hashicorp"
  sourcetype = "hashicorp:audit"
  format     = "cim"
  # go-bexpr over the native event (SCHEMA.md field names).
  filter = "kind != \"hcp.stream_test\""
}
