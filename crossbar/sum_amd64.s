#include "textflag.h"

// func addRowsAVX2(acc *float64, gp *float32, offs *int, k, blocks32, blocks4 int)
//
// For each column block, acc[j] += float64(g[offs[0]+j]) + … +
// float64(g[offs[k-1]+j]) one row at a time in ascending order: each
// column sees the same IEEE additions as the scalar loop, eight (then one)
// 4-wide accumulators at a time so the adds of different columns overlap.
TEXT ·addRowsAVX2(SB), NOSPLIT, $0-48
	MOVQ acc+0(FP), DI
	MOVQ gp+8(FP), SI
	MOVQ offs+16(FP), BX
	MOVQ k+24(FP), CX
	MOVQ blocks32+32(FP), DX
	MOVQ blocks4+40(FP), R11
	TESTQ CX, CX
	JZ   done
	TESTQ DX, DX
	JZ   tail

block32:
	VMOVUPD 0(DI), Y0
	VMOVUPD 32(DI), Y1
	VMOVUPD 64(DI), Y2
	VMOVUPD 96(DI), Y3
	VMOVUPD 128(DI), Y4
	VMOVUPD 160(DI), Y5
	VMOVUPD 192(DI), Y6
	VMOVUPD 224(DI), Y7
	XORQ R8, R8

row32:
	MOVQ (BX)(R8*8), R9
	LEAQ (SI)(R9*4), R10
	VCVTPS2PD 0(R10), Y8
	VCVTPS2PD 16(R10), Y9
	VCVTPS2PD 32(R10), Y10
	VCVTPS2PD 48(R10), Y11
	VCVTPS2PD 64(R10), Y12
	VCVTPS2PD 80(R10), Y13
	VCVTPS2PD 96(R10), Y14
	VCVTPS2PD 112(R10), Y15
	VADDPD Y8, Y0, Y0
	VADDPD Y9, Y1, Y1
	VADDPD Y10, Y2, Y2
	VADDPD Y11, Y3, Y3
	VADDPD Y12, Y4, Y4
	VADDPD Y13, Y5, Y5
	VADDPD Y14, Y6, Y6
	VADDPD Y15, Y7, Y7
	INCQ R8
	CMPQ R8, CX
	JLT  row32

	VMOVUPD Y0, 0(DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, 96(DI)
	VMOVUPD Y4, 128(DI)
	VMOVUPD Y5, 160(DI)
	VMOVUPD Y6, 192(DI)
	VMOVUPD Y7, 224(DI)
	ADDQ $256, DI
	ADDQ $128, SI
	DECQ DX
	JNZ  block32

tail:
	TESTQ R11, R11
	JZ   done

block4:
	VMOVUPD 0(DI), Y0
	XORQ R8, R8

row4:
	MOVQ (BX)(R8*8), R9
	LEAQ (SI)(R9*4), R10
	VCVTPS2PD 0(R10), Y8
	VADDPD Y8, Y0, Y0
	INCQ R8
	CMPQ R8, CX
	JLT  row4

	VMOVUPD Y0, 0(DI)
	ADDQ $32, DI
	ADDQ $16, SI
	DECQ R11
	JNZ  block4

done:
	VZEROUPPER
	RET

// func convertAVX2(k *convK, acc, z, gain, off *float64, codes *int32, cur *float64, blocks int) (clipped int)
//
// Four columns at a time, the ADC conversion of convertSpikes with the
// same IEEE operations in the same order (no fused multiply-add):
//   x = acc + sqrt(κ·acc + fw)·z
//   q = floor(gain·(vs·x)·inv + off + 0.5), clipped to [0, top]
//   codes += int32(q) << bit;  cur += (q·lsb)·shift
// convK's fields are at the offsets below.
TEXT ·convertAVX2(SB), NOSPLIT, $0-72
	MOVQ k+0(FP), AX
	MOVQ acc+8(FP), SI
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
	VXORPD Y6, Y6, Y6        // 0
	TESTQ CX, CX
	JZ   cdone

cloop:
	VMOVUPD (SI), Y0
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
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, R9
	ADDQ $32, R10
	ADDQ $16, R11
	ADDQ $32, R12
	DECQ CX
	JNZ  cloop

cdone:
	VZEROUPPER
	MOVQ DX, clipped+64(FP)
	RET

// func addRowsAVX512(acc *float64, gp *float32, offs *int, k, blocks64 int)
//
// addRowsAVX2 with eight 8-wide accumulators: blocks of 64 columns.
TEXT ·addRowsAVX512(SB), NOSPLIT, $0-40
	MOVQ acc+0(FP), DI
	MOVQ gp+8(FP), SI
	MOVQ offs+16(FP), BX
	MOVQ k+24(FP), CX
	MOVQ blocks64+32(FP), DX
	TESTQ CX, CX
	JZ   done512
	TESTQ DX, DX
	JZ   done512

block512:
	VMOVUPD 0(DI), Z0
	VMOVUPD 64(DI), Z1
	VMOVUPD 128(DI), Z2
	VMOVUPD 192(DI), Z3
	VMOVUPD 256(DI), Z4
	VMOVUPD 320(DI), Z5
	VMOVUPD 384(DI), Z6
	VMOVUPD 448(DI), Z7
	XORQ R8, R8

row512:
	MOVQ (BX)(R8*8), R9
	LEAQ (SI)(R9*4), R10
	VCVTPS2PD 0(R10), Z8
	VCVTPS2PD 32(R10), Z9
	VCVTPS2PD 64(R10), Z10
	VCVTPS2PD 96(R10), Z11
	VCVTPS2PD 128(R10), Z12
	VCVTPS2PD 160(R10), Z13
	VCVTPS2PD 192(R10), Z14
	VCVTPS2PD 224(R10), Z15
	VADDPD Z8, Z0, Z0
	VADDPD Z9, Z1, Z1
	VADDPD Z10, Z2, Z2
	VADDPD Z11, Z3, Z3
	VADDPD Z12, Z4, Z4
	VADDPD Z13, Z5, Z5
	VADDPD Z14, Z6, Z6
	VADDPD Z15, Z7, Z7
	INCQ R8
	CMPQ R8, CX
	JLT  row512

	VMOVUPD Z0, 0(DI)
	VMOVUPD Z1, 64(DI)
	VMOVUPD Z2, 128(DI)
	VMOVUPD Z3, 192(DI)
	VMOVUPD Z4, 256(DI)
	VMOVUPD Z5, 320(DI)
	VMOVUPD Z6, 384(DI)
	VMOVUPD Z7, 448(DI)
	ADDQ $512, DI
	ADDQ $256, SI
	DECQ DX
	JNZ  block512

done512:
	VZEROUPPER
	RET
