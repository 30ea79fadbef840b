# Per-product routing: each product to its team's destination, Vault reads
# only when they fail, and the streaming test event nowhere.
#
#   auditbridge route --config examples/per-product.hcl events.ndjson
#
# shows, per record, which sinks would get it, before anything is deployed.

data_dir = "/var/lib/auditbridge"

source "hec" {
  addr   = "0.0.0.0:8088"
  tokens = env("HEC_TOKENS")
}

sink "splunk" "boundary" {
  url    = "https://splunk.example.com:8088"
  token  = env("SPLUNK_TOKEN")
  index  = "boundary"
  filter = "product == \"boundary\""
}

sink "splunk" "terraform" {
  url    = "https://splunk.example.com:8088"
  token  = env("SPLUNK_TOKEN")
  index  = "terraform_changes"
  filter = "product in [\"terraform\", \"terraform-enterprise\"] and verb != \"read\""
}

# Vault: everything but reads, and reads only when they failed.
sink "syslog" "vault" {
  address  = "siem-relay.example.com:6514"
  network  = "tls"
  app_name = "vault"
  filter   = "product == \"vault\" and (verb != \"read\" or outcome == \"failure\")"
}

# People, not machines: user and service actors of every product but the
# streaming test.
sink "file" "people" {
  path   = "/var/log/auditbridge/people.ndjson"
  filter = "actor.type in [\"user\", \"service\"] and kind != \"hcp.stream_test\""
}
