package normalize

import (
	"strings"
	"testing"
)

func TestSourcetype(t *testing.T) {
	tests := []struct{ product, want string }{
		{ProductTerraform, "hashicorp:terraform:audit"},
		{ProductTerraformEnterprise, "hashicorp:terraform-enterprise:audit"},
		{ProductHCP, "hashicorp:hcp:audit"},
		{ProductBoundary, "hashicorp:boundary:audit"},
		{ProductPacker, "hashicorp:packer:audit"},
		{ProductVaultSecrets, "hashicorp:vault-secrets:audit"},
		{ProductVaultRadar, "hashicorp:vault-radar:audit"},
		{ProductVault, "hashicorp:vault:audit"},
		{ProductNomad, "hashicorp:nomad:audit"},
		{ProductConsul, "hashicorp:consul:audit"},
		{ProductUnknown, "hashicorp:audit"},
		{"", "hashicorp:audit"},
		{"waypoint", "hashicorp:audit"},
	}
	for _, tt := range tests {
		t.Run(tt.product, func(t *testing.T) {
			if got := Sourcetype(tt.product); got != tt.want {
				t.Errorf("Sourcetype(%q) = %q, want %q", tt.product, got, tt.want)
			}
		})
	}
}

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in      string
		want    Format
		wantErr bool
	}{
		{"native", FormatNative, false},
		{"ecs", FormatECS, false},
		{" OCSF ", FormatOCSF, false},
		{"Cim", FormatCIM, false},
		{"", "", true},
		{"json", "", true},
		{"ecs2", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseFormat(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("ParseFormat(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), "native, ecs, ocsf, cim") {
				t.Errorf("error %q does not list the valid formats", err)
			}
			var f Format
			if uerr := f.UnmarshalText([]byte(tt.in)); (uerr != nil) != tt.wantErr || f != tt.want {
				t.Errorf("UnmarshalText(%q) = %q, %v", tt.in, f, uerr)
			}
		})
	}
}
