package vault

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"

	"github.com/auditbridge/auditbridge/bridge"
)

var _ bridge.Checker = (*Source)(nil)

// Check verifies that the address can be listened on: a TCP address
// resolves; a unix socket's directory exists. It opens no socket (the
// running bridge may hold it).
func (s *Source) Check(context.Context) error {
	network, addr, err := s.cfg.Endpoint()
	if err != nil {
		return err
	}
	if network == "unix" {
		if fi, err := os.Stat(filepath.Dir(addr)); err != nil || !fi.IsDir() {
			return fmt.Errorf("vault: unix socket directory %s: not a directory (%v)", filepath.Dir(addr), err)
		}
		return nil
	}
	if _, err := net.ResolveTCPAddr("tcp", addr); err != nil {
		return fmt.Errorf("vault: %w", err)
	}
	return nil
}
