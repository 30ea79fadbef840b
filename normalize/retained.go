package normalize

import "unsafe"

// Retained is about the memory p keeps between calls: the storage
// AppendParse hands out (taken back by Reset, kept for the next batch) and
// the reused parse buffers. A caller that pools parsers uses it to drop one
// a big record has grown.
func (p *Parser) Retained() int {
	n := cap(p.scratch) + cap(p.decoded) + cap(p.dectree) + cap(p.arena)
	for _, b := range p.blocks {
		n += cap(b)
	}
	for i := range p.ts {
		t := &p.ts[i]
		n += cap(t.raw) + cap(t.unesc) + 8*cap(t.specials) + 8*cap(t.lazy) + 4*cap(t.stack) +
			cap(t.vals)*int(unsafe.Sizeof(value{}))
	}
	for _, b := range p.pairBlocks {
		n += cap(b) * int(unsafe.Sizeof(MetaPair{})) // keys and values live in blocks
	}
	return n
}
