//go:build unix

package tail

import (
	"os"
	"strconv"
	"syscall"
)

// identity names a file independently of its path: device and inode.
func identity(fi os.FileInfo) string {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return strconv.FormatUint(uint64(st.Dev), 10) + ":" + strconv.FormatUint(uint64(st.Ino), 10)
	}
	return ""
}
