//go:build amd64 && !purego

#include "textflag.h"

// func escapeQuotesSSSE3(dst, src *byte, n int) (written, read int)
TEXT ·escapeQuotesSSSE3(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ DI, R10
	MOVQ SI, R11
	LEAQ ·quoteShuf(SB), R8
	LEAQ ·quoteSlash(SB), R9
	LEAQ ·quoteLen(SB), R12
	MOVOU ·quoteConst+0(SB), X8   // '"'
	MOVOU ·quoteConst+16(SB), X9  // '\\'
	MOVOU ·quoteConst+32(SB), X10 // '<'
	MOVOU ·quoteConst+48(SB), X11 // '>'
	MOVOU ·quoteConst+64(SB), X12 // '&'
	MOVOU ·quoteConst+80(SB), X13 // 0x1f

loop:
	CMPQ CX, $24
	JLT  done
	MOVOU (SI), X0

	// X2: bytes in 0x20..0x7f that are not '\\', '<', '>' or '&'.
	MOVO    X0, X1
	PCMPGTB X13, X1
	MOVO    X0, X2
	PCMPEQB X9, X2
	MOVO    X0, X3
	PCMPEQB X10, X3
	POR     X3, X2
	MOVO    X0, X3
	PCMPEQB X11, X3
	POR     X3, X2
	MOVO    X0, X3
	PCMPEQB X12, X3
	POR     X3, X2
	PANDN   X1, X2
	PMOVMSKB X2, AX
	CMPL    AX, $0xffff
	JNE     done

	MOVO     X0, X3
	PCMPEQB  X8, X3
	PMOVMSKB X3, BX

	// Low half.
	MOVL    BX, DX
	ANDL    $0xff, DX
	MOVQ    DX, AX
	SHLQ    $4, AX
	MOVOU   (R8)(AX*1), X4
	MOVOU   (R9)(AX*1), X5
	MOVO    X0, X6
	PSHUFB  X4, X6
	POR     X5, X6
	MOVOU   X6, (DI)
	MOVBQZX (R12)(DX*1), DX
	ADDQ    DX, DI

	// High half.
	SHRL    $8, BX
	MOVQ    BX, AX
	SHLQ    $4, AX
	MOVOU   (R8)(AX*1), X4
	MOVOU   (R9)(AX*1), X5
	PSRLDQ  $8, X0
	PSHUFB  X4, X0
	POR     X5, X0
	MOVOU   X0, (DI)
	MOVBQZX (R12)(BX*1), DX
	ADDQ    DX, DI

	ADDQ $16, SI
	SUBQ $16, CX
	JMP  loop

done:
	SUBQ R10, DI
	SUBQ R11, SI
	MOVQ DI, written+24(FP)
	MOVQ SI, read+32(FP)
	RET

// SPECIAL16 sets the low sixteen bits of reg to the quotes, backslashes
// and bytes below 0x20 of the sixteen bytes at off(SI); it needs X8 = '"',
// X9 = '\\', X10 = 0x1f and X11 = 0 in every byte, and uses X0 to X2.
#define SPECIAL16(off, reg) \
	MOVOU    off(SI), X0 \
	MOVO     X0, X1 \
	PCMPEQB  X8, X1 \
	MOVO     X0, X2 \
	PCMPEQB  X9, X2 \
	POR      X2, X1 \
	PSUBUSB  X10, X0 \
	PCMPEQB  X11, X0 \
	POR      X0, X1 \
	PMOVMSKB X1, reg

// func specialBits(dst *uint64, src *byte, blocks int)
TEXT ·specialBits(SB), NOSPLIT, $0-24
	MOVQ  dst+0(FP), DI
	MOVQ  src+8(FP), SI
	MOVQ  blocks+16(FP), CX
	MOVOU ·quoteConst+0(SB), X8   // '"'
	MOVOU ·quoteConst+16(SB), X9  // '\\'
	MOVOU ·quoteConst+80(SB), X10 // 0x1f
	PXOR  X11, X11

sloop:
	TESTQ CX, CX
	JZ    sdone
	SPECIAL16(0, AX)
	SPECIAL16(16, BX)
	SHLQ $16, BX
	ORQ  BX, AX
	SPECIAL16(32, BX)
	SHLQ $32, BX
	ORQ  BX, AX
	SPECIAL16(48, BX)
	SHLQ $48, BX
	ORQ  BX, AX
	MOVQ AX, (DI)
	ADDQ $64, SI
	ADDQ $8, DI
	DECQ CX
	JMP  sloop

sdone:
	RET
