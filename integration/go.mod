module github.com/auditbridge/auditbridge/integration

go 1.26.0

require github.com/auditbridge/auditbridge v0.0.0

replace github.com/auditbridge/auditbridge => ../
