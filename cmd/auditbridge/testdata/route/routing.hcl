# Per-product routing used by TestRouteGolden (route --config).
sink "stdout" "soc" {
  filter = "product == \"boundary\" and outcome == \"failure\""
}

sink "stdout" "archive" {
  filter = "kind != \"hcp.stream_test\""
}

sink "file" "vault_failures" {
  path   = "/dev/null"
  filter = "product == \"vault\" and outcome == \"failure\""
}

sink "stdout" "people" {
  filter = "actor.type in [\"user\", \"service\"]"
}
