package tail

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/auditbridge/auditbridge/bridge"
)

var _ bridge.Checker = (*Source)(nil)

// Check opens every file the globs match now, reporting each one that
// cannot be read. A glob matching nothing is not an error (the file may be
// created later).
func (s *Source) Check(context.Context) error {
	var errs []error
	for _, g := range s.cfg.Globs() {
		paths, _ := filepath.Glob(g)
		for _, p := range paths {
			f, err := os.Open(p)
			if err != nil {
				errs = append(errs, fmt.Errorf("tail: %w", err))
				continue
			}
			f.Close()
		}
	}
	return errors.Join(errs...)
}
