package lsm

import (
	"math"

	"gonum.org/v1/gonum/floats"
)

// CLIPLoss is the symmetric contrastive loss of paired embeddings a and v
// (n × d each, pair i = row i of both): logits = s·A·Vᵀ with s =
// exp(logScale) (temperature τ = 1/s), loss = ½[CE(logits, I) +
// CE(logitsᵀ, I)], each CE the mean over rows. It writes the gradients into
// da and dv (n × d, overwritten) unless nil, and returns the loss and its
// derivative with respect to logScale.
func CLIPLoss(a, v []float64, n, d int, logScale float64, da, dv []float64) (loss, dLogScale float64) {
	return CLIPClassLoss(a, v, nil, n, d, logScale, da, dv)
}

// CLIPClassLoss is CLIPLoss with class-aware targets (beyond the paper, in
// the manner of supervised contrastive learning, Khosla et al. 2020): with
// labels, every cross-modal pair of the same class in the batch is a
// positive, so the target of row i is uniform over the columns j with
// labels[j] = labels[i] (and of column j over such rows) instead of the
// identity. Same-class samples are then not pushed apart as negatives.
// labels nil (or all distinct) gives CLIPLoss exactly.
func CLIPClassLoss(a, v []float64, labels []int, n, d int, logScale float64, da, dv []float64) (loss, dLogScale float64) {
	s := math.Exp(logScale)
	logits := make([]float64, n*n)
	for i := range n {
		ai := a[i*d : (i+1)*d]
		for j := range n {
			logits[i*n+j] = s * floats.Dot(ai, v[j*d:(j+1)*d])
		}
	}
	// target[i][j] = [y_i = y_j] / #{k: y_k = y_i}: symmetric, so the
	// column targets are the same numbers.
	same := func(i, j int) bool { return i == j || (labels != nil && labels[i] == labels[j]) }
	count := make([]float64, n)
	for i := range n {
		for j := range n {
			if same(i, j) {
				count[i]++
			}
		}
	}
	g := make([]float64, n*n) // dLoss/dlogits
	inv := 0.5 / float64(n)
	// rows: audio i searches its image
	for i := range n {
		row := logits[i*n : (i+1)*n]
		lse := logSumExp(row)
		for j, z := range row {
			g[i*n+j] += math.Exp(z-lse) * inv
			if same(i, j) {
				loss += (lse - z) / count[i] * inv
				g[i*n+j] -= inv / count[i]
			}
		}
	}
	// columns: image j searches its audio
	col := make([]float64, n)
	for j := range n {
		for i := range n {
			col[i] = logits[i*n+j]
		}
		lse := logSumExp(col)
		for i, z := range col {
			g[i*n+j] += math.Exp(z-lse) * inv
			if same(i, j) {
				loss += (lse - z) / count[j] * inv
				g[i*n+j] -= inv / count[j]
			}
		}
	}
	for k, gk := range g {
		dLogScale += gk * logits[k]
	}
	if da != nil {
		clear(da[:n*d])
		for i := range n {
			for j := range n {
				floats.AddScaled(da[i*d:(i+1)*d], s*g[i*n+j], v[j*d:(j+1)*d])
			}
		}
	}
	if dv != nil {
		clear(dv[:n*d])
		for i := range n {
			for j := range n {
				floats.AddScaled(dv[j*d:(j+1)*d], s*g[i*n+j], a[i*d:(i+1)*d])
			}
		}
	}
	return loss, dLogScale
}

func logSumExp(z []float64) float64 {
	mx := floats.Max(z)
	sum := 0.0
	for _, v := range z {
		sum += math.Exp(v - mx)
	}
	return mx + math.Log(sum)
}

// ProtoLoss is the prototypical-network loss across modalities: the
// prototype of class c is the mean of the support embeddings s (ns × d) with
// label c; each query q (nq × d) scores −‖q − p_c‖² against every prototype,
// and the loss is the mean softmax cross-entropy against the query's label.
// Labels lie in [0, classes); a class absent from the support gets no
// prototype (its score is −∞). It writes dq and ds unless nil.
func ProtoLoss(q []float64, qLabels []int, s []float64, sLabels []int, d, classes int, dq, ds []float64) float64 {
	nq, ns := len(qLabels), len(sLabels)
	protos := make([]float64, classes*d)
	count := make([]float64, classes)
	for i, c := range sLabels {
		floats.Add(protos[c*d:(c+1)*d], s[i*d:(i+1)*d])
		count[c]++
	}
	for c := range classes {
		if count[c] > 0 {
			floats.Scale(1/count[c], protos[c*d:(c+1)*d])
		}
	}
	logits := make([]float64, nq*classes)
	for i := range nq {
		qi := q[i*d : (i+1)*d]
		for c := range classes {
			if count[c] == 0 {
				logits[i*classes+c] = math.Inf(-1)
				continue
			}
			dd := 0.0
			for k, x := range qi {
				t := x - protos[c*d+k]
				dd += t * t
			}
			logits[i*classes+c] = -dd
		}
	}
	g := make([]float64, nq*classes)
	loss := SoftmaxCE(logits, nq, classes, qLabels, g)
	if dq == nil && ds == nil {
		return loss
	}
	// logit = −Σ(q−p)²: dlogit/dq = −2(q−p), dlogit/dp = 2(q−p).
	dp := make([]float64, classes*d)
	if dq != nil {
		clear(dq[:nq*d])
	}
	for i := range nq {
		for c := range classes {
			gc := g[i*classes+c]
			if gc == 0 || count[c] == 0 {
				continue
			}
			for k := range d {
				diff := q[i*d+k] - protos[c*d+k]
				if dq != nil {
					dq[i*d+k] -= 2 * gc * diff
				}
				dp[c*d+k] += 2 * gc * diff
			}
		}
	}
	if ds != nil {
		clear(ds[:ns*d])
		for i, c := range sLabels {
			floats.AddScaled(ds[i*d:(i+1)*d], 1/count[c], dp[c*d:(c+1)*d])
		}
	}
	return loss
}

// CLIPSoftLoss is the contrastive loss of the widely copied "simple CLIP"
// tutorial the authors' scaffolding comes from: logits L = s·A·Vᵀ, soft
// targets T = softmax_rows((A·Aᵀ + V·Vᵀ)/(2s)), loss = mean over pairs of
// ½[CE(L_i, T_i) + CE(Lᵀ_j, Tᵀ_j)], gradients flowing through the targets
// too. With s = 1 (temperature 1, the paper's) the target scale is 1 as well.
// Arguments and results are as for CLIPLoss.
func CLIPSoftLoss(a, v []float64, n, d int, logScale float64, da, dv []float64) (loss, dLogScale float64) {
	s := math.Exp(logScale)
	L := make([]float64, n*n)
	S := make([]float64, n*n)
	for i := range n {
		ai, vi := a[i*d:(i+1)*d], v[i*d:(i+1)*d]
		for j := range n {
			L[i*n+j] = s * floats.Dot(ai, v[j*d:(j+1)*d])
			S[i*n+j] = (floats.Dot(ai, a[j*d:(j+1)*d]) + floats.Dot(vi, v[j*d:(j+1)*d])) / (2 * s)
		}
	}
	T := make([]float64, n*n)
	logP := make([]float64, n*n) // row log-softmax of L
	logQ := make([]float64, n*n) // column log-softmax of L
	for i := range n {
		lse := logSumExp(S[i*n : (i+1)*n])
		for j := range n {
			T[i*n+j] = math.Exp(S[i*n+j] - lse)
		}
		lse = logSumExp(L[i*n : (i+1)*n])
		for j := range n {
			logP[i*n+j] = L[i*n+j] - lse
		}
	}
	col := make([]float64, n)
	for j := range n {
		for i := range n {
			col[i] = L[i*n+j]
		}
		lse := logSumExp(col)
		for i := range n {
			logQ[i*n+j] = L[i*n+j] - lse
		}
	}
	w := 0.5 / float64(n)
	G := make([]float64, n*n)  // dloss/dL
	dT := make([]float64, n*n) // dloss/dT
	csum := make([]float64, n) // column sums of T
	for k, t := range T {
		csum[k%n] += t
	}
	for i := range n {
		for j := range n {
			k := i*n + j
			loss -= w * T[k] * (logP[k] + logQ[k])
			G[k] = w * (math.Exp(logP[k]) - T[k] + math.Exp(logQ[k])*csum[j] - T[k])
			dT[k] = -w * (logP[k] + logQ[k])
		}
	}
	dS := make([]float64, n*n)
	for i := range n {
		dot := floats.Dot(T[i*n:(i+1)*n], dT[i*n:(i+1)*n])
		for j := range n {
			dS[i*n+j] = T[i*n+j] * (dT[i*n+j] - dot)
		}
	}
	for k := range G {
		dLogScale += G[k]*L[k] - dS[k]*S[k]
	}
	grad := func(dst, self, other []float64, lFactor float64, transpose bool) {
		clear(dst[:n*d])
		for i := range n {
			for j := range n {
				sym := (dS[i*n+j] + dS[j*n+i]) / (2 * s)
				floats.AddScaled(dst[i*d:(i+1)*d], sym, self[j*d:(j+1)*d])
				g := G[i*n+j]
				if transpose {
					g = G[j*n+i]
				}
				floats.AddScaled(dst[i*d:(i+1)*d], lFactor*g, other[j*d:(j+1)*d])
			}
		}
	}
	if da != nil {
		grad(da, a, v, s, false)
	}
	if dv != nil {
		grad(dv, v, a, s, true)
	}
	return loss, dLogScale
}
