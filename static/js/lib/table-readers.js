// How a row of each slider table reads as the single endpoint's answer (the tables' layouts are described
// in app/web/table_answers.py; tests/tables.py reads them the same way in Python, and
// tests/browser/test_tables.py checks these readers against the server's single answers).

const orNull = (v) => (Number.isNaN(v) ? null : v);

export function temperatureT(t, i) {
  return {
    temperatures: [1, t.values[i]],
    probs: [t.const("probs_at_1"), t.row("probs", i)],
    entropy_bits: [t.const("entropy_bits_at_1"), t.row("entropy_bits", i)],
    mass_off_top: [t.const("mass_off_top_at_1"), t.row("mass_off_top", i)],
    mean_logit: [t.const("mean_logit_at_1"), t.row("mean_logit", i)],
  };
}

export function alphaAlpha(t, i) {
  return {
    loss: t.row("loss", i), ce: t.const("ce"), kl: t.const("kl"), kd_term: t.const("kd_term"),
    weighted_ce: t.row("weighted_ce", i), weighted_kd: t.row("weighted_kd", i),
    grad: { ce: t.row("grad_ce", i), kd: t.row("grad_kd", i), total: t.row("grad_total", i) },
    alpha_sweep: { alpha: t.const("sweep_alpha"), weighted_ce: t.const("sweep_weighted_ce"),
                   weighted_kd: t.const("sweep_weighted_kd"), loss: t.const("sweep_loss") },
  };
}

export function alphaT(t, i) {
  // The sweep's lines are (1 − alpha)·kd_term and their sum with alpha·CE: the same two float64 products
  // and the sum the server takes (app/kd/sweeps.py alpha_sweep), so they equal its answer exactly.
  const alphas = t.const("sweep_alpha");
  const sweepCe = t.const("sweep_weighted_ce");
  const kdTerm = t.row("kd_term", i);
  const sweepKd = alphas.map((a) => (1 - a) * kdTerm);
  return {
    loss: t.row("loss", i), ce: t.const("ce"), kl: t.row("kl", i), kd_term: kdTerm,
    weighted_ce: t.const("weighted_ce"), weighted_kd: t.row("weighted_kd", i),
    grad: { ce: t.const("grad_ce"), kd: t.row("grad_kd", i), total: t.row("grad_total", i) },
    alpha_sweep: { alpha: alphas, weighted_ce: sweepCe, weighted_kd: sweepKd, loss: sweepCe.map((c, k) => c + sweepKd[k]) },
  };
}

export function tSquaredT(t, i) {
  const curve = t.const("curve_temperatures");
  const withMark = (name) => [...t.const(name), t.row(name, i)];
  return {
    temperatures: [...curve, t.values[i]],
    grad_norm: withMark("grad_norm"), grad_norm_t2: withMark("grad_norm_t2"),
    logit_matching_limit: withMark("logit_matching_limit"),
    high_t_slope: orNull(t.row("high_t_slope", i)), high_t_slope_t2: orNull(t.row("high_t_slope_t2", i)),
    slope_fit_from: t.row("slope_fit_from", i), slope_fit_points: t.row("slope_fit_points", i),
    // the T = 1–4 readouts do not depend on the marked T
    practical_range: t.const("practical_range"), low_t_points: t.const("low_t_points"),
    practical_t2_ends: t.const("practical_t2_ends"), low_t_slope: orNull(t.const("low_t_slope")),
    low_t_slope_t2: orNull(t.const("low_t_slope_t2")), practical_t2_ratio: orNull(t.const("practical_t2_ratio")),
  };
}

function reductionAnswer({ perPosition, isMasked, seedKl, tokenMean, labelled, masked, share }) {
  return {
    lengths: seedKl.map((_, k) => k + 1), seed_kl: seedKl, token_mean_kl: tokenMean.map(orNull),
    labelled, masked, per_position: perPosition, is_masked: isMasked.map((row) => row.map(Boolean)),
    masked_share_of_seed_kl: share,
  };
}

/** The answer at length n is the first n of every per-length array (one example, cut). */
export function reductionLength(t, i) {
  const n = t.values[i];
  const first = (name) => t.const(name).slice(0, n);
  return reductionAnswer({
    perPosition: t.const("per_position").map((row) => row.slice(0, n)),
    isMasked: t.const("is_masked").map((row) => row.slice(0, n)),
    seedKl: first("seed_kl"), tokenMean: first("token_mean_kl"), labelled: first("labelled"), masked: first("masked"),
    share: t.row("masked_share", i),
  });
}

export function reductionPrompt(t, i) {
  return reductionAnswer({
    perPosition: t.const("per_position"), isMasked: t.row("is_masked", i), seedKl: t.const("seed_kl"),
    tokenMean: t.row("token_mean_kl", i), labelled: t.row("labelled", i), masked: t.row("masked", i),
    share: t.row("masked_share", i),
  });
}

/** The answer at batch size b has the first b sequences. */
export function reductionBatch(t, i) {
  const b = t.values[i];
  return reductionAnswer({
    perPosition: t.const("per_position").slice(0, b), isMasked: t.const("is_masked").slice(0, b),
    seedKl: t.row("seed_kl", i), tokenMean: t.row("token_mean_kl", i), labelled: t.row("labelled", i),
    masked: t.row("masked", i), share: t.row("masked_share", i),
  });
}

export function klDirection(t, i) {
  const fit = (name) => ({ mean: t.row(`${name}_mean`, i), width: t.row(`${name}_width`, i), kl: t.row(`${name}_kl`, i),
                           probs: t.row(`${name}_probs`, i) });
  return {
    x: t.const("x"), teacher: t.row("teacher", i), forward: fit("forward"), reverse: fit("reverse"),
    means: t.const("means"), forward_by_mean: t.row("forward_by_mean", i), reverse_by_mean: t.row("reverse_by_mean", i),
  };
}
