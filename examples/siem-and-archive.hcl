# SIEM plus archive: the SIEM gets what analysts act on, the archive gets
# every event. Each sink is its own durable spool consumer: the archive
# being down never holds back the SIEM, and each has its own metrics label,
# dead letters, /readyz line and `auditbridge drop-sink NAME`.

data_dir = "/var/lib/auditbridge"

source "hec" {
  addr   = "0.0.0.0:8088"
  tokens = env("HEC_TOKENS")
}

# Real-time index: Boundary sessions, and any failure of any product.
sink "splunk" "siem" {
  url    = "https://splunk.example.com:8088"
  token  = env("SPLUNK_TOKEN")
  index  = "soc_realtime"
  filter = "product == \"boundary\" or outcome == \"failure\""
}

# Compliance archive: every event (no filter), ECS into a data stream.
sink "elasticsearch" "archive" {
  addresses   = ["https://archive.example.com:9200"]
  api_key     = env("ES_API_KEY")
  data_stream = "logs-hashicorp.audit-archive"
  batch_wait  = "5s" # batching per sink: batch_events, batch_bytes, batch_wait
}
