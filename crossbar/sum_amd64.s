#include "textflag.h"

// func addRowsQAVX2(acc *int32, gq *int32, offs *int, k, blocks32, blocks8 int)
//
// For each column block, acc[j] += gq[offs[0]+j] + … + gq[offs[k-1]+j]:
// integer sums, exact in any order. Four 8-wide accumulators (32 columns)
// per block, then one (8 columns).
TEXT ·addRowsQAVX2(SB), NOSPLIT, $0-48
	MOVQ acc+0(FP), DI
	MOVQ gq+8(FP), SI
	MOVQ offs+16(FP), BX
	MOVQ k+24(FP), CX
	MOVQ blocks32+32(FP), DX
	MOVQ blocks8+40(FP), R11
	TESTQ CX, CX
	JZ   qdone
	TESTQ DX, DX
	JZ   qtail

qblock32:
	VMOVDQU 0(DI), Y0
	VMOVDQU 32(DI), Y1
	VMOVDQU 64(DI), Y2
	VMOVDQU 96(DI), Y3
	XORQ R8, R8

qrow32:
	MOVQ (BX)(R8*8), R9
	LEAQ (SI)(R9*4), R10
	VPADDD 0(R10), Y0, Y0
	VPADDD 32(R10), Y1, Y1
	VPADDD 64(R10), Y2, Y2
	VPADDD 96(R10), Y3, Y3
	INCQ R8
	CMPQ R8, CX
	JLT  qrow32

	VMOVDQU Y0, 0(DI)
	VMOVDQU Y1, 32(DI)
	VMOVDQU Y2, 64(DI)
	VMOVDQU Y3, 96(DI)
	ADDQ $128, DI
	ADDQ $128, SI
	DECQ DX
	JNZ  qblock32

qtail:
	TESTQ R11, R11
	JZ   qdone

qblock8:
	VMOVDQU 0(DI), Y0
	XORQ R8, R8

qrow8:
	MOVQ (BX)(R8*8), R9
	LEAQ (SI)(R9*4), R10
	VPADDD 0(R10), Y0, Y0
	INCQ R8
	CMPQ R8, CX
	JLT  qrow8

	VMOVDQU Y0, 0(DI)
	ADDQ $32, DI
	ADDQ $32, SI
	DECQ R11
	JNZ  qblock8

qdone:
	VZEROUPPER
	RET

// func addRowsQAVX512(acc *int32, gq *int32, offs *int, k, blocks64 int)
//
// addRowsQAVX2 with four 16-wide accumulators: blocks of 64 columns.
TEXT ·addRowsQAVX512(SB), NOSPLIT, $0-40
	MOVQ acc+0(FP), DI
	MOVQ gq+8(FP), SI
	MOVQ offs+16(FP), BX
	MOVQ k+24(FP), CX
	MOVQ blocks64+32(FP), DX
	TESTQ CX, CX
	JZ   zdone
	TESTQ DX, DX
	JZ   zdone

zblock:
	VMOVDQU32 0(DI), Z0
	VMOVDQU32 64(DI), Z1
	VMOVDQU32 128(DI), Z2
	VMOVDQU32 192(DI), Z3
	XORQ R8, R8

zrow:
	MOVQ (BX)(R8*8), R9
	LEAQ (SI)(R9*4), R10
	VPADDD 0(R10), Z0, Z0
	VPADDD 64(R10), Z1, Z1
	VPADDD 128(R10), Z2, Z2
	VPADDD 192(R10), Z3, Z3
	INCQ R8
	CMPQ R8, CX
	JLT  zrow

	VMOVDQU32 Z0, 0(DI)
	VMOVDQU32 Z1, 64(DI)
	VMOVDQU32 Z2, 128(DI)
	VMOVDQU32 Z3, 192(DI)
	ADDQ $256, DI
	ADDQ $256, SI
	DECQ DX
	JNZ  zblock

zdone:
	VZEROUPPER
	RET

// func convertQAVX2(k *convK, accq *int32, z, gain, off *float64, codes *int32, cur *float64, blocks int) (clipped, total int)
//
// Four columns at a time, the ADC conversion of convertSpikes with the
// same IEEE operations in the same order (no fused multiply-add):
//   acc = float64(accq)·quantum          (the column sum, µS; exact)
//   x = acc + sqrt(κ·acc + fw)·z
//   q = floor(gain·(vs·x)·inv + off + 0.5), clipped to [0, top]
//   codes += int32(q) << bit;  cur += (q·lsb)·shift
// and total = Σ accq. convK's fields are at the offsets below.
TEXT ·convertQAVX2(SB), NOSPLIT, $0-80
	MOVQ k+0(FP), AX
	MOVQ accq+8(FP), SI
	MOVQ z+16(FP), R8
	MOVQ gain+24(FP), R9
	MOVQ off+32(FP), R10
	MOVQ codes+40(FP), R11
	MOVQ cur+48(FP), R12
	MOVQ blocks+56(FP), CX
	XORQ DX, DX // clipped
	VBROADCASTSD 0(AX), Y8   // κ
	VBROADCASTSD 8(AX), Y9   // fw
	VBROADCASTSD 16(AX), Y10 // vs
	VBROADCASTSD 24(AX), Y11 // inv
	VBROADCASTSD 32(AX), Y12 // 0.5
	VBROADCASTSD 40(AX), Y13 // top
	VBROADCASTSD 48(AX), Y14 // lsb
	VBROADCASTSD 56(AX), Y15 // shift
	MOVQ 64(AX), X7          // bit
	VBROADCASTSD 72(AX), Y5  // quantum
	VXORPD Y6, Y6, Y6        // 0
	VPXOR Y4, Y4, Y4         // Σ accq, 4 int64 lanes
	TESTQ CX, CX
	JZ   cdone

cloop:
	VPMOVSXDQ (SI), Y0
	VPADDQ Y0, Y4, Y4
	VCVTDQ2PD (SI), Y0
	VMULPD Y5, Y0, Y0          // acc
	VMULPD Y8, Y0, Y1
	VADDPD Y9, Y1, Y1
	VSQRTPD Y1, Y1
	VMULPD (R8), Y1, Y1
	VADDPD Y1, Y0, Y0
	VMULPD Y10, Y0, Y0
	VMULPD (R9), Y0, Y0
	VMULPD Y11, Y0, Y0
	VADDPD (R10), Y0, Y0
	VADDPD Y12, Y0, Y0
	VROUNDPD $1, Y0, Y0
	VCMPPD $1, Y6, Y0, Y2 // q < 0
	VCMPPD $1, Y0, Y13, Y3 // top < q
	VORPD Y2, Y3, Y2
	VMOVMSKPD Y2, BX
	POPCNTQ BX, BX
	ADDQ BX, DX
	VMAXPD Y6, Y0, Y0 // max(q, 0): q when q ≥ 0
	VMINPD Y13, Y0, Y0
	VCVTTPD2DQY Y0, X1
	VPSLLD X7, X1, X1
	VPADDD (R11), X1, X1
	VMOVDQU X1, (R11)
	VMULPD Y14, Y0, Y0
	VMULPD Y15, Y0, Y0
	VADDPD (R12), Y0, Y0
	VMOVUPD Y0, (R12)
	ADDQ $16, SI
	ADDQ $32, R8
	ADDQ $32, R9
	ADDQ $32, R10
	ADDQ $16, R11
	ADDQ $32, R12
	DECQ CX
	JNZ  cloop

cdone:
	VEXTRACTI128 $1, Y4, X0    // total: the four int64 lanes summed
	VPADDQ X0, X4, X4
	VPSHUFD $0x4e, X4, X0
	VPADDQ X0, X4, X4
	MOVQ X4, BX
	VZEROUPPER
	MOVQ DX, clipped+64(FP)
	MOVQ BX, total+72(FP)
	RET

// The ziggurat's constants: SplitMix64's multipliers C1 and C2, the
// counter step 8·golden of a block of eight lanes, and the layer mask.
DATA zigC<>+0(SB)/8, $0xbf58476d1ce4e5b9
DATA zigC<>+8(SB)/8, $0x94d049bb133111eb
DATA zigC<>+16(SB)/8, $0xf1bbcdcbfa53e0a8
DATA zigC<>+24(SB)/8, $127
GLOBL zigC<>(SB), RODATA|NOPTR, $32

// ZIGSETUP loads the first halves of the ziggurat's tables for ZIGBLOCK:
// zk (at AX) in Z16–Z19, zk[0:16], zk[32:48], zk[64:80], zk[96:112];
// zw (at R11) in Z20–Z27, zw[0:8], zw[16:24], …, zw[112:120]. The second
// halves are read from memory.
#define ZIGSETUP \
	VMOVDQU32 0(AX), Z16; \
	VMOVDQU32 128(AX), Z17; \
	VMOVDQU32 256(AX), Z18; \
	VMOVDQU32 384(AX), Z19; \
	VMOVUPD 0(R11), Z20; \
	VMOVUPD 128(R11), Z21; \
	VMOVUPD 256(R11), Z22; \
	VMOVUPD 384(R11), Z23; \
	VMOVUPD 512(R11), Z24; \
	VMOVUPD 640(R11), Z25; \
	VMOVUPD 768(R11), Z26; \
	VMOVUPD 896(R11), Z27

// ZIGBLOCK draws one block of eight (see zigAVX512): counters in Z0
// (advanced by a block), tables as ZIGSETUP left them with zk at AX and
// zw at R11; the normals go to (R12) and the slow lanes' bits to (R13),
// both advanced. It uses Z5–Z15, K1–K6 and R9. In order: u = mix(counter);
// hz = int32(u), iz = u>>32 & 127; zk[iz] by four 32-entry VPERMI2D
// lookups merged on bits 5 and 6 of iz; zw[iz] by eight 16-entry VPERMI2PD
// lookups merged on bits 4, 5 and 6; the test |hz| < zk[iz], unsigned.
#define ZIGBLOCK \
	VPSRLQ $30, Z0, Z8; \
	VPXORQ Z0, Z8, Z8; \
	VPMULLQ.BCST zigC<>+0(SB), Z8, Z8; \
	VPSRLQ $27, Z8, Z9; \
	VPXORQ Z8, Z9, Z8; \
	VPMULLQ.BCST zigC<>+8(SB), Z8, Z8; \
	VPSRLQ $31, Z8, Z9; \
	VPXORQ Z8, Z9, Z8; \
	VPADDQ.BCST zigC<>+16(SB), Z0, Z0; \
	VPMOVQD Z8, Y10; \
	VPSRLQ $32, Z8, Z11; \
	VPANDQ.BCST zigC<>+24(SB), Z11, Z11; \
	VPMOVQD Z11, Y5; \
	VMOVDQA64 Z5, Z12; \
	VPERMI2D 64(AX), Z16, Z12; \
	VMOVDQA64 Z5, Z6; \
	VPERMI2D 192(AX), Z17, Z6; \
	VMOVDQA64 Z5, Z7; \
	VPERMI2D 320(AX), Z18, Z7; \
	VMOVDQA64 Z5, Z9; \
	VPERMI2D 448(AX), Z19, Z9; \
	VPSLLD $26, Z5, Z13; \
	VPMOVD2M Z13, K1; \
	VPSLLD $25, Z5, Z13; \
	VPMOVD2M Z13, K2; \
	VPBLENDMD Z6, Z12, K1, Z12; \
	VPBLENDMD Z9, Z7, K1, Z7; \
	VPBLENDMD Z7, Z12, K2, Z12; \
	VPSLLQ $59, Z11, Z5; \
	VPMOVQ2M Z5, K3; \
	VPSLLQ $58, Z11, Z5; \
	VPMOVQ2M Z5, K4; \
	VPSLLQ $57, Z11, Z5; \
	VPMOVQ2M Z5, K5; \
	VMOVDQA64 Z11, Z13; \
	VPERMI2PD 64(R11), Z20, Z13; \
	VMOVDQA64 Z11, Z5; \
	VPERMI2PD 192(R11), Z21, Z5; \
	VBLENDMPD Z5, Z13, K3, Z13; \
	VMOVDQA64 Z11, Z5; \
	VPERMI2PD 320(R11), Z22, Z5; \
	VMOVDQA64 Z11, Z6; \
	VPERMI2PD 448(R11), Z23, Z6; \
	VBLENDMPD Z6, Z5, K3, Z5; \
	VBLENDMPD Z5, Z13, K4, Z13; \
	VMOVDQA64 Z11, Z5; \
	VPERMI2PD 576(R11), Z24, Z5; \
	VMOVDQA64 Z11, Z6; \
	VPERMI2PD 704(R11), Z25, Z6; \
	VBLENDMPD Z6, Z5, K3, Z5; \
	VMOVDQA64 Z11, Z6; \
	VPERMI2PD 832(R11), Z26, Z6; \
	VMOVDQA64 Z11, Z7; \
	VPERMI2PD 960(R11), Z27, Z7; \
	VBLENDMPD Z7, Z6, K3, Z6; \
	VBLENDMPD Z6, Z5, K4, Z5; \
	VBLENDMPD Z5, Z13, K5, Z13; \
	VPABSD Y10, Y14; \
	VPCMPUD $1, Y12, Y14, K6; \
	VCVTDQ2PD Y10, Z15; \
	VMULPD Z13, Z15, Z15; \
	VMOVUPD Z15, (R12); \
	KMOVB K6, R9; \
	NOTB R9; \
	MOVB R9, (R13); \
	ADDQ $64, R12; \
	INCQ R13

// func zigAVX512(z *float64, blocks int, h *[8]uint64, slow *uint8, zk *uint32, zw *float64)
//
// The ziggurat's fast path for 8 consecutive counters at a time: lane j of
// block b has counter c = h[j] + 8·b·golden, u = mix(c) (SplitMix64's
// finaliser), hz = int32(u), iz = u>>32 & 127, and if |hz| < zk[iz] then
// z = float64(hz)·zw[iz]. Lanes that fail the test (about 2.5 %) get their
// bit set in slow[b] and are finished by the caller in scalar code. Bit for
// bit the scalar draw. The tables are read by permutes, not gathers
// (microcoded and slow on many Intel cores): zk as four 32-entry VPERMI2D
// lookups, zw as eight 16-entry VPERMI2PD lookups, each with its first
// half in a register and its second from memory, merged by the index's
// high bits.
TEXT ·zigAVX512(SB), NOSPLIT, $0-48
	MOVQ z+0(FP), R12
	MOVQ blocks+8(FP), CX
	MOVQ h+16(FP), DX
	MOVQ slow+24(FP), R13
	MOVQ zk+32(FP), AX
	MOVQ zw+40(FP), R11
	TESTQ CX, CX
	JZ   zigdone
	VMOVDQU64 (DX), Z0         // counters
	ZIGSETUP

zigloop:
	ZIGBLOCK
	DECQ CX
	JNZ  zigloop

zigdone:
	VZEROUPPER
	RET

// func addRowsZigAVX512(acc *int32, gq *int32, offs *int, k, blocks80 int, z *float64, zblocks int, h *[8]uint64, slow *uint8, zk *uint32, zw *float64)
//
// addRowsQAVX512, five accumulators wide (blocks of 80 columns, so that a
// 400-column region needs no tail), and zigAVX512 in one loop: a block of
// draws after every eighth row added, the rest after the sums. The sums wait on memory (L2),
// the draws on arithmetic, so each goes on in the other's shadow. Sums and
// draws are exactly those of the two kernels.
TEXT ·addRowsZigAVX512(SB), NOSPLIT, $0-88
	MOVQ acc+0(FP), DI
	MOVQ gq+8(FP), SI
	MOVQ offs+16(FP), BX
	MOVQ k+24(FP), CX
	MOVQ blocks80+32(FP), DX
	MOVQ z+40(FP), R12
	MOVQ zblocks+48(FP), R14
	MOVQ h+56(FP), R10
	MOVQ slow+64(FP), R13
	MOVQ zk+72(FP), AX
	MOVQ zw+80(FP), R11
	VMOVDQU64 (R10), Z0        // counters
	ZIGSETUP
	TESTQ CX, CX
	JZ   azrest
	TESTQ DX, DX
	JZ   azrest

azblock:
	VMOVDQU32 0(DI), Z1
	VMOVDQU32 64(DI), Z2
	VMOVDQU32 128(DI), Z3
	VMOVDQU32 192(DI), Z4
	VMOVDQU32 256(DI), Z28
	XORQ R8, R8

azrow:
	MOVQ (BX)(R8*8), R9
	LEAQ (SI)(R9*4), R10
	VPADDD 0(R10), Z1, Z1
	VPADDD 64(R10), Z2, Z2
	VPADDD 128(R10), Z3, Z3
	VPADDD 192(R10), Z4, Z4
	VPADDD 256(R10), Z28, Z28
	INCQ R8
	TESTQ $7, R8
	JNZ  aznext
	TESTQ R14, R14
	JZ   aznext
	ZIGBLOCK
	DECQ R14

aznext:
	CMPQ R8, CX
	JLT  azrow

	VMOVDQU32 Z1, 0(DI)
	VMOVDQU32 Z2, 64(DI)
	VMOVDQU32 Z3, 128(DI)
	VMOVDQU32 Z4, 192(DI)
	VMOVDQU32 Z28, 256(DI)
	ADDQ $320, DI
	ADDQ $320, SI
	DECQ DX
	JNZ  azblock

azrest:
	TESTQ R14, R14
	JZ   azdone

azzig:
	ZIGBLOCK
	DECQ R14
	JNZ  azzig

azdone:
	VZEROUPPER
	RET

// func lifAVX2(k *lifK, cur, mem *float64, spk *uint8, cnt *int32, blocks int)
//
// Four neurons at a time, the LIF update of lifGo with the same IEEE
// operations in the same order:
//   d   = ((cur[2j] − cur[2j+1]) / readV) · 1e6
//   x   = (decay·mem)·(1 − spk) + scale·d
//   mem = x;  spk = [x > threshold];  cnt += spk
// lifK's fields are at the offsets below; spkTab[m] holds the four spike
// bytes of mask m and cntTab[m] its four int32 increments.
TEXT ·lifAVX2(SB), NOSPLIT, $0-48
	MOVQ k+0(FP), AX
	MOVQ cur+8(FP), SI
	MOVQ mem+16(FP), DI
	MOVQ spk+24(FP), R8
	MOVQ cnt+32(FP), R9
	MOVQ blocks+40(FP), CX
	VBROADCASTSD 0(AX), Y8   // decay
	VBROADCASTSD 8(AX), Y9   // scale
	VBROADCASTSD 16(AX), Y10 // readV
	VBROADCASTSD 24(AX), Y11 // 1e6
	VBROADCASTSD 32(AX), Y12 // threshold
	VBROADCASTSD 40(AX), Y13 // 1
	MOVQ 48(AX), R10         // spkTab
	MOVQ 56(AX), R11         // cntTab
	TESTQ CX, CX
	JZ   lifdone

lifloop:
	VMOVUPD 0(SI), Y0          // c0 c1 | c2 c3
	VMOVUPD 32(SI), Y1         // c4 c5 | c6 c7
	VUNPCKLPD Y1, Y0, Y2       // c0 c4 | c2 c6
	VUNPCKHPD Y1, Y0, Y3       // c1 c5 | c3 c7
	VSUBPD Y3, Y2, Y2          // d0 d2 | d1 d3
	VPERMPD $0xD8, Y2, Y2      // d0 d1 d2 d3
	VDIVPD Y10, Y2, Y2
	VMULPD Y11, Y2, Y2
	VMULPD Y9, Y2, Y2          // scale·d
	VMOVUPD 0(DI), Y4
	VMULPD Y8, Y4, Y4          // decay·mem
	VPMOVZXBD (R8), X5
	VCVTDQ2PD X5, Y5
	VSUBPD Y5, Y13, Y5         // 1 − spk
	VMULPD Y5, Y4, Y4
	VADDPD Y2, Y4, Y4          // x
	VMOVUPD Y4, 0(DI)
	VCMPPD $0x1e, Y12, Y4, Y6  // x > threshold (ordered: false for NaN)
	VMOVMSKPD Y6, BX
	MOVL (R10)(BX*4), DX
	MOVL DX, (R8)
	SHLQ $4, BX
	VMOVDQU (R9), X7
	VPADDD (R11)(BX*1), X7, X7
	VMOVDQU X7, (R9)
	ADDQ $64, SI
	ADDQ $32, DI
	ADDQ $4, R8
	ADDQ $16, R9
	DECQ CX
	JNZ  lifloop

lifdone:
	VZEROUPPER
	RET

// func convertQAVX512(k *convK, accq *int32, z, gain, off *float64, codes *int32, cur *float64, blocks int) (clipped, total int)
//
// convertQAVX2 eight columns at a time.
TEXT ·convertQAVX512(SB), NOSPLIT, $0-80
	MOVQ k+0(FP), AX
	MOVQ accq+8(FP), SI
	MOVQ z+16(FP), R8
	MOVQ gain+24(FP), R9
	MOVQ off+32(FP), R10
	MOVQ codes+40(FP), R11
	MOVQ cur+48(FP), R12
	MOVQ blocks+56(FP), CX
	XORQ DX, DX // clipped
	VBROADCASTSD 0(AX), Z8   // κ
	VBROADCASTSD 8(AX), Z9   // fw
	VBROADCASTSD 16(AX), Z10 // vs
	VBROADCASTSD 24(AX), Z11 // inv
	VBROADCASTSD 32(AX), Z12 // 0.5
	VBROADCASTSD 40(AX), Z13 // top
	VBROADCASTSD 48(AX), Z14 // lsb
	VBROADCASTSD 56(AX), Z15 // shift
	MOVQ 64(AX), X7          // bit
	VBROADCASTSD 72(AX), Z5  // quantum
	VPXORQ Z6, Z6, Z6        // 0
	VPXORQ Z4, Z4, Z4        // Σ accq, 8 int64 lanes
	TESTQ CX, CX
	JZ   zcdone

zcloop:
	VPMOVSXDQ (SI), Z0
	VPADDQ Z0, Z4, Z4
	VCVTDQ2PD (SI), Z0
	VMULPD Z5, Z0, Z0          // acc
	VMULPD Z8, Z0, Z1
	VADDPD Z9, Z1, Z1
	VSQRTPD Z1, Z1
	VMULPD (R8), Z1, Z1
	VADDPD Z1, Z0, Z0
	VMULPD Z10, Z0, Z0
	VMULPD (R9), Z0, Z0
	VMULPD Z11, Z0, Z0
	VADDPD (R10), Z0, Z0
	VADDPD Z12, Z0, Z0
	VRNDSCALEPD $1, Z0, Z0     // floor
	VCMPPD $1, Z6, Z0, K1      // q < 0
	VCMPPD $1, Z0, Z13, K2     // top < q
	KORW K1, K2, K1
	KMOVW K1, BX
	POPCNTL BX, BX
	ADDQ BX, DX
	VMAXPD Z6, Z0, Z0
	VMINPD Z13, Z0, Z0
	VCVTTPD2DQ Z0, Y1
	VPSLLD X7, Y1, Y1
	VPADDD (R11), Y1, Y1
	VMOVDQU Y1, (R11)
	VMULPD Z14, Z0, Z0
	VMULPD Z15, Z0, Z0
	VADDPD (R12), Z0, Z0
	VMOVUPD Z0, (R12)
	ADDQ $32, SI
	ADDQ $64, R8
	ADDQ $64, R9
	ADDQ $64, R10
	ADDQ $32, R11
	ADDQ $64, R12
	DECQ CX
	JNZ  zcloop

zcdone:
	VEXTRACTI64X4 $1, Z4, Y0   // total: the eight int64 lanes summed
	VPADDQ Y0, Y4, Y4
	VEXTRACTI128 $1, Y4, X0
	VPADDQ X0, X4, X4
	VPSHUFD $0x4e, X4, X0
	VPADDQ X0, X4, X4
	MOVQ X4, BX
	VZEROUPPER
	MOVQ DX, clipped+64(FP)
	MOVQ BX, total+72(FP)
	RET

// func convertPairsQAVX512(k *convK, accq *int32, z, gain, off *float64, codes *int32, cur *float64, blocks int) (clipped, total int)
//
// Eight differential pairs at a time, the conversion of convertPairsQGo
// with the same IEEE operations in the same order: pair j has the column
// sums p = accq[2j], m = accq[2j+1] (quanta);
//   x = float64(p − m)·quantum + sqrt(κ·(p·quantum) + κ·(m·quantum) + fw)·z
//   q = floor(gain·(vs·x)·inv + off + 0.5), clipped to [lo, top]
//   codes += int32(q) << bit;  cur += (q·lsb)·shift
// and total = Σ (p + m).
TEXT ·convertPairsQAVX512(SB), NOSPLIT, $0-80
	MOVQ k+0(FP), AX
	MOVQ accq+8(FP), SI
	MOVQ z+16(FP), R8
	MOVQ gain+24(FP), R9
	MOVQ off+32(FP), R10
	MOVQ codes+40(FP), R11
	MOVQ cur+48(FP), R12
	MOVQ blocks+56(FP), CX
	XORQ DX, DX // clipped
	VBROADCASTSD 0(AX), Z8   // κ
	VBROADCASTSD 8(AX), Z9   // fw
	VBROADCASTSD 16(AX), Z10 // vs
	VBROADCASTSD 24(AX), Z11 // inv
	VBROADCASTSD 32(AX), Z12 // 0.5
	VBROADCASTSD 40(AX), Z13 // top
	VBROADCASTSD 48(AX), Z14 // lsb
	VBROADCASTSD 56(AX), Z15 // shift
	MOVQ 64(AX), X7          // bit
	VBROADCASTSD 72(AX), Z5  // quantum
	VBROADCASTSD 80(AX), Z6  // lo
	VPXORQ Z4, Z4, Z4        // Σ accq, 8 int64 lanes
	TESTQ CX, CX
	JZ   pdone

ploop:
	VMOVDQU64 (SI), Z0         // p0 m0 p1 m1 … p7 m7
	VPMOVQD Z0, Y1             // p: the low dword of each pair
	VPSRLQ $32, Z0, Z2
	VPMOVQD Z2, Y2             // m
	VPMOVSXDQ Y1, Z16
	VPADDQ Z16, Z4, Z4
	VPMOVSXDQ Y2, Z16
	VPADDQ Z16, Z4, Z4
	VPSUBD Y2, Y1, Y3          // p − m
	VCVTDQ2PD Y1, Z1
	VMULPD Z5, Z1, Z1
	VMULPD Z8, Z1, Z1          // κ·x⁺
	VCVTDQ2PD Y2, Z2
	VMULPD Z5, Z2, Z2
	VMULPD Z8, Z2, Z2          // κ·x⁻
	VADDPD Z2, Z1, Z1
	VADDPD Z9, Z1, Z1
	VSQRTPD Z1, Z1
	VMULPD (R8), Z1, Z1
	VCVTDQ2PD Y3, Z0
	VMULPD Z5, Z0, Z0          // x⁺ − x⁻
	VADDPD Z1, Z0, Z0
	VMULPD Z10, Z0, Z0
	VMULPD (R9), Z0, Z0
	VMULPD Z11, Z0, Z0
	VADDPD (R10), Z0, Z0
	VADDPD Z12, Z0, Z0
	VRNDSCALEPD $1, Z0, Z0     // floor
	VCMPPD $1, Z6, Z0, K1      // q < lo
	VCMPPD $1, Z0, Z13, K2     // top < q
	KORW K1, K2, K1
	KMOVW K1, BX
	POPCNTL BX, BX
	ADDQ BX, DX
	VMAXPD Z6, Z0, Z0
	VMINPD Z13, Z0, Z0
	VCVTTPD2DQ Z0, Y1
	VPSLLD X7, Y1, Y1
	VPADDD (R11), Y1, Y1
	VMOVDQU Y1, (R11)
	VMULPD Z14, Z0, Z0
	VMULPD Z15, Z0, Z0
	VADDPD (R12), Z0, Z0
	VMOVUPD Z0, (R12)
	ADDQ $64, SI
	ADDQ $64, R8
	ADDQ $64, R9
	ADDQ $64, R10
	ADDQ $32, R11
	ADDQ $64, R12
	DECQ CX
	JNZ  ploop

pdone:
	VEXTRACTI64X4 $1, Z4, Y0   // total: the eight int64 lanes summed
	VPADDQ Y0, Y4, Y4
	VEXTRACTI128 $1, Y4, X0
	VPADDQ X0, X4, X4
	VPSHUFD $0x4e, X4, X0
	VPADDQ X0, X4, X4
	MOVQ X4, BX
	VZEROUPPER
	MOVQ DX, clipped+64(FP)
	MOVQ BX, total+72(FP)
	RET

// func lsmPairsAVX512(k *convK, lk *lifK, accq *int32, z, gain, off, mem *float64, mask *uint8, cnt *int32, blocks int, next, lanes *int, step int) (total int64, spikes int)
//
// One RunLSM step for blocks·8 neurons on differential pairs: the
// conversion of convertPairsQAVX512 up to the clipped code q, then lifGo's
// update of a sensed difference, its drive scale·(((0 + (q·lsb)·shift) /
// V_read)·1e6) computed with those operations in that order
// (lsmPairsGo). Spikes are bits: mask byte b holds neurons 8b..8b+7; the
// spiking neurons' rows, lanes[j] + b·step for lane j of block b, are also
// compressed into next in ascending order (it has room for 8 past the
// last neuron), and spikes is how many. Two
// blocks go at a time, their instructions interleaved: each block is one
// long dependency chain (the square root, the rounding, the division), and
// two give the out-of-order core independent work.
TEXT ·lsmPairsAVX512(SB), NOSPLIT, $0-120
	MOVQ k+0(FP), AX
	MOVQ lk+8(FP), BX
	MOVQ accq+16(FP), SI
	MOVQ z+24(FP), R8
	MOVQ gain+32(FP), R9
	MOVQ off+40(FP), R10
	MOVQ mem+48(FP), DI
	MOVQ mask+56(FP), R14
	MOVQ cnt+64(FP), R11
	MOVQ blocks+72(FP), CX
	MOVQ next+80(FP), R12
	MOVQ R12, R13
	MOVQ lanes+88(FP), DX
	VMOVDQU64 (DX), Z15      // the first block's neuron rows
	MOVQ step+96(FP), DX
	VPBROADCASTQ DX, Z29     // their advance per block
	VBROADCASTSD 0(AX), Z8   // κ
	VBROADCASTSD 8(AX), Z9   // fw
	VBROADCASTSD 16(AX), Z10 // vs
	VBROADCASTSD 24(AX), Z11 // inv
	VBROADCASTSD 32(AX), Z12 // 0.5
	VBROADCASTSD 40(AX), Z13 // top
	VBROADCASTSD 72(AX), Z5  // quantum
	VBROADCASTSD 80(AX), Z6  // lo
	VBROADCASTSD 0(BX), Z17  // decay
	VBROADCASTSD 32(BX), Z18 // threshold
	VBROADCASTSD 40(BX), Z19 // 1
	VBROADCASTSD 48(AX), Z26 // lsb
	VBROADCASTSD 56(AX), Z27 // shift
	VBROADCASTSD 16(BX), Z28 // V_read
	VBROADCASTSD 8(BX), Z30  // scale
	VPXORQ Z31, Z31, Z31     // +0
	MOVL $1, DX
	VPBROADCASTD DX, Y14     // int32 ones
	VPXORQ Z4, Z4, Z4        // Σ accq, 8 int64 lanes
	CMPQ CX, $2
	JLT  lpone

	// Per block, as in lpone below: p, m; Σ p + m (unsigned: each column sum
	// is below 2^31); the variance κ·x⁺ + κ·x⁻ + fw, x = x⁺ − x⁻ + √var·z;
	// q = floor(gain·vs·x·inv + off + 0.5) clamped to [lo, top]; the drive
	// scale·(((0 + (q·lsb)·shift) / V_read)·1e6); x = decay·mem·(1 − s) +
	// drive, s = [x > threshold].
lptwo:
	VMOVDQU64 0(SI), Z0
	VMOVDQU64 64(SI), Z20
	VPMOVQD Z0, Y1
	VPMOVQD Z20, Y21
	VPSRLQ $32, Z0, Z2
	VPSRLQ $32, Z20, Z22
	VPMOVQD Z2, Y2
	VPMOVQD Z22, Y22
	VPADDD Y2, Y1, Y3
	VPADDD Y22, Y21, Y23
	VPMOVZXDQ Y3, Z16
	VPMOVZXDQ Y23, Z24
	VPADDQ Z16, Z4, Z4
	VPADDQ Z24, Z4, Z4
	VPSUBD Y2, Y1, Y3
	VPSUBD Y22, Y21, Y23
	VCVTDQ2PD Y1, Z1
	VCVTDQ2PD Y21, Z21
	VMULPD Z5, Z1, Z1
	VMULPD Z5, Z21, Z21
	VMULPD Z8, Z1, Z1
	VMULPD Z8, Z21, Z21
	VCVTDQ2PD Y2, Z2
	VCVTDQ2PD Y22, Z22
	VMULPD Z5, Z2, Z2
	VMULPD Z5, Z22, Z22
	VMULPD Z8, Z2, Z2
	VMULPD Z8, Z22, Z22
	VADDPD Z2, Z1, Z1
	VADDPD Z22, Z21, Z21
	VADDPD Z9, Z1, Z1
	VADDPD Z9, Z21, Z21
	VSQRTPD Z1, Z1
	VSQRTPD Z21, Z21
	VMULPD 0(R8), Z1, Z1
	VMULPD 64(R8), Z21, Z21
	VCVTDQ2PD Y3, Z0
	VCVTDQ2PD Y23, Z20
	VMULPD Z5, Z0, Z0
	VMULPD Z5, Z20, Z20
	VADDPD Z1, Z0, Z0
	VADDPD Z21, Z20, Z20
	VMULPD Z10, Z0, Z0
	VMULPD Z10, Z20, Z20
	VMULPD 0(R9), Z0, Z0
	VMULPD 64(R9), Z20, Z20
	VMULPD Z11, Z0, Z0
	VMULPD Z11, Z20, Z20
	VADDPD 0(R10), Z0, Z0
	VADDPD 64(R10), Z20, Z20
	VADDPD Z12, Z0, Z0
	VADDPD Z12, Z20, Z20
	VRNDSCALEPD $1, Z0, Z0
	VRNDSCALEPD $1, Z20, Z20
	VMAXPD Z6, Z0, Z0
	VMAXPD Z6, Z20, Z20
	VMINPD Z13, Z0, Z0
	VMINPD Z13, Z20, Z20
	VMULPD Z26, Z0, Z2
	VMULPD Z26, Z20, Z22
	VMULPD Z27, Z2, Z2
	VMULPD Z27, Z22, Z22
	VADDPD Z31, Z2, Z2
	VADDPD Z31, Z22, Z22
	VDIVPD Z28, Z2, Z2
	VDIVPD Z28, Z22, Z22
	VMULPD.BCST 24(BX), Z2, Z2 // 1e6
	VMULPD.BCST 24(BX), Z22, Z22
	VMULPD Z30, Z2, Z2
	VMULPD Z30, Z22, Z22
	VMOVUPD 0(DI), Z3
	VMOVUPD 64(DI), Z23
	VMULPD Z17, Z3, Z3
	VMULPD Z17, Z23, Z23
	KMOVB 0(R14), K3
	KMOVB 1(R14), K5
	KNOTB K3, K3
	KNOTB K5, K5
	VMOVAPD.Z Z19, K3, Z7
	VMOVAPD.Z Z19, K5, Z25
	VMULPD Z7, Z3, Z3
	VMULPD Z25, Z23, Z23
	VADDPD Z2, Z3, Z3
	VADDPD Z22, Z23, Z23
	VMOVUPD Z3, 0(DI)
	VMOVUPD Z23, 64(DI)
	VCMPPD $0x1e, Z18, Z3, K1
	VCMPPD $0x1e, Z18, Z23, K2
	KMOVB K1, 0(R14)
	KMOVB K2, 1(R14)
	VMOVDQU32 0(R11), Y7
	VMOVDQU32 32(R11), Y25
	VPADDD Y14, Y7, K1, Y7
	VPADDD Y14, Y25, K2, Y25
	VMOVDQU32 Y7, 0(R11)
	VMOVDQU32 Y25, 32(R11)
	VPCOMPRESSQ Z15, K1, Z1    // the spiking neurons' rows
	VMOVDQU64 Z1, (R12)
	KMOVB K1, DX
	POPCNTL DX, DX
	LEAQ (R12)(DX*8), R12
	VPADDQ Z29, Z15, Z15
	VPCOMPRESSQ Z15, K2, Z21
	VMOVDQU64 Z21, (R12)
	KMOVB K2, DX
	POPCNTL DX, DX
	LEAQ (R12)(DX*8), R12
	VPADDQ Z29, Z15, Z15
	ADDQ $128, SI
	ADDQ $128, R8
	ADDQ $128, R9
	ADDQ $128, R10
	ADDQ $128, DI
	ADDQ $2, R14
	ADDQ $64, R11
	SUBQ $2, CX
	CMPQ CX, $2
	JGE  lptwo

lpone:
	TESTQ CX, CX
	JZ   lpdone
	VMOVDQU64 0(SI), Z0
	VPMOVQD Z0, Y1
	VPSRLQ $32, Z0, Z2
	VPMOVQD Z2, Y2
	VPADDD Y2, Y1, Y3
	VPMOVZXDQ Y3, Z16
	VPADDQ Z16, Z4, Z4
	VPSUBD Y2, Y1, Y3
	VCVTDQ2PD Y1, Z1
	VMULPD Z5, Z1, Z1
	VMULPD Z8, Z1, Z1
	VCVTDQ2PD Y2, Z2
	VMULPD Z5, Z2, Z2
	VMULPD Z8, Z2, Z2
	VADDPD Z2, Z1, Z1
	VADDPD Z9, Z1, Z1
	VSQRTPD Z1, Z1
	VMULPD 0(R8), Z1, Z1
	VCVTDQ2PD Y3, Z0
	VMULPD Z5, Z0, Z0
	VADDPD Z1, Z0, Z0
	VMULPD Z10, Z0, Z0
	VMULPD 0(R9), Z0, Z0
	VMULPD Z11, Z0, Z0
	VADDPD 0(R10), Z0, Z0
	VADDPD Z12, Z0, Z0
	VRNDSCALEPD $1, Z0, Z0
	VMAXPD Z6, Z0, Z0
	VMINPD Z13, Z0, Z0
	VMULPD Z26, Z0, Z2
	VMULPD Z27, Z2, Z2
	VADDPD Z31, Z2, Z2
	VDIVPD Z28, Z2, Z2
	VMULPD.BCST 24(BX), Z2, Z2 // 1e6
	VMULPD Z30, Z2, Z2
	VMOVUPD 0(DI), Z3
	VMULPD Z17, Z3, Z3
	KMOVB 0(R14), K3
	KNOTB K3, K3
	VMOVAPD.Z Z19, K3, Z7
	VMULPD Z7, Z3, Z3
	VADDPD Z2, Z3, Z3
	VMOVUPD Z3, 0(DI)
	VCMPPD $0x1e, Z18, Z3, K1
	KMOVB K1, 0(R14)
	VMOVDQU32 0(R11), Y7
	VPADDD Y14, Y7, K1, Y7
	VMOVDQU32 Y7, 0(R11)
	VPCOMPRESSQ Z15, K1, Z1
	VMOVDQU64 Z1, (R12)
	KMOVB K1, DX
	POPCNTL DX, DX
	LEAQ (R12)(DX*8), R12

lpdone:
	VEXTRACTI64X4 $1, Z4, Y0   // total: the eight int64 lanes summed
	VPADDQ Y0, Y4, Y4
	VEXTRACTI128 $1, Y4, X0
	VPADDQ X0, X4, X4
	VPSHUFD $0x4e, X4, X0
	VPADDQ X0, X4, X4
	MOVQ X4, BX
	VZEROUPPER
	MOVQ BX, total+104(FP)
	SUBQ R13, R12
	SHRQ $3, R12
	MOVQ R12, spikes+112(FP)
	RET

// func nonzero64(p *uint8) uint64
//
// Bit i set where p[i] ≠ 0, for i < 64.
TEXT ·nonzero64(SB), NOSPLIT, $0-16
	MOVQ p+0(FP), SI
	VMOVDQU8 (SI), Z0
	VPTESTMB Z0, Z0, K1
	KMOVQ K1, AX
	VZEROUPPER
	MOVQ AX, ret+8(FP)
	RET

// func addRowsQAVX512x16(acc *int32, gq *int32, offs *int, k, blocks16 int)
//
// addRowsQAVX512 for blocks of 16 columns (one accumulator, two rows per
// iteration): the columns past the last block of 64.
TEXT ·addRowsQAVX512x16(SB), NOSPLIT, $0-40
	MOVQ acc+0(FP), DI
	MOVQ gq+8(FP), SI
	MOVQ offs+16(FP), BX
	MOVQ k+24(FP), CX
	MOVQ blocks16+32(FP), DX
	TESTQ CX, CX
	JZ   xdone
	TESTQ DX, DX
	JZ   xdone

xblock:
	VMOVDQU32 0(DI), Z0
	VPXORD Z1, Z1, Z1
	XORQ R8, R8
	MOVQ CX, R11
	ANDQ $-2, R11              // rows in pairs
	JZ   xodd

xrow:
	MOVQ (BX)(R8*8), R9
	MOVQ 8(BX)(R8*8), R10
	VPADDD (SI)(R9*4), Z0, Z0
	VPADDD (SI)(R10*4), Z1, Z1
	ADDQ $2, R8
	CMPQ R8, R11
	JLT  xrow

xodd:
	CMPQ R8, CX
	JGE  xsum
	MOVQ (BX)(R8*8), R9
	VPADDD (SI)(R9*4), Z0, Z0

xsum:
	VPADDD Z1, Z0, Z0
	VMOVDQU32 Z0, 0(DI)
	ADDQ $64, DI
	ADDQ $64, SI
	DECQ DX
	JNZ  xblock

xdone:
	VZEROUPPER
	RET
