# Per-product routing used by TestRouteGolden (route --config).
sink "splunk" "soc" {
  url    = "https://splunk.example.com:8088"
  token  = "route-test-token"
  index  = "hashicorp_${product}"
  filter = "product != \"vault\" and outcome == \"failure\""
}

sink "elasticsearch" "archive" {
  addresses   = ["https://es.example.com:9200"]
  data_stream = "logs-hashicorp.${product}-default"
  filter      = "kind != \"hcp.stream_test\""
}

sink "file" "vault_failures" {
  path   = "/dev/null"
  filter = "product == \"vault\" and outcome == \"failure\""
}

sink "syslog" "people" {
  address  = "syslog.example.com:514"
  app_name = "hc-${product}"
  facility = "$${meta.facility:-local4}"
  filter   = "actor.type in [\"user\", \"service\"]"
}
