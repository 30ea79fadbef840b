package normalize

// Splunk sourcetypes, one per product.
const (
	SourcetypeTerraform           = "hashicorp:terraform:audit"
	SourcetypeTerraformEnterprise = "hashicorp:terraform-enterprise:audit"
	SourcetypeHCP                 = "hashicorp:hcp:audit"
	SourcetypeBoundary            = "hashicorp:boundary:audit"
	SourcetypePacker              = "hashicorp:packer:audit"
	SourcetypeVaultSecrets        = "hashicorp:vault-secrets:audit"
	SourcetypeVaultRadar          = "hashicorp:vault-radar:audit"
	SourcetypeVault               = "hashicorp:vault:audit"
	SourcetypeNomad               = "hashicorp:nomad:audit"
	SourcetypeConsul              = "hashicorp:consul:audit"
	SourcetypeUnknown             = "hashicorp:audit"
)

// Sourcetype is the Splunk sourcetype for an event's product.
//
// Terraform Enterprise gets its own sourcetype rather than sharing HCP
// Terraform's: its records come from a different parser (log lines, content
// hash ids, different fields) and Splunk field extractions are per sourcetype.
// Unknown products (including "unknown") map to "hashicorp:audit".
func Sourcetype(product string) string {
	switch product {
	case ProductTerraform:
		return SourcetypeTerraform
	case ProductTerraformEnterprise:
		return SourcetypeTerraformEnterprise
	case ProductHCP:
		return SourcetypeHCP
	case ProductBoundary:
		return SourcetypeBoundary
	case ProductPacker:
		return SourcetypePacker
	case ProductVaultSecrets:
		return SourcetypeVaultSecrets
	case ProductVaultRadar:
		return SourcetypeVaultRadar
	case ProductVault:
		return SourcetypeVault
	case ProductNomad:
		return SourcetypeNomad
	case ProductConsul:
		return SourcetypeConsul
	}
	return SourcetypeUnknown
}
