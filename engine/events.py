"""What the training loop reports: typed events with JSON-serializable payloads.

Payload shapes, in the order a run emits them. Under cross-validation every event of a
fold's run also carries `fold` (1-based). Grids are lists of rows (row i is y[i]); images
are lists of pixel rows; floats of grids and images are rounded to 4 decimals.

INFO (once per run, or per fold)
    {n_train, n_val, n_features, n_classes, classes, n_params, epochs, steps_per_epoch,
     batch_size}, plus n_test when there is a test set and cv_folds under cross-validation.
DATA_POINTS (once, 2-D datasets: the points the boundary and GAN pictures are drawn over)
    {x: [float], y: [float], labels: [int]}  at most 500 training points.
METRIC, per reported step
    {scope: "step", epoch, step, train_loss}  (a GAN's train_loss is its generator loss)
METRIC, per epoch
    {scope: "epoch", epoch, epochs, step, train_loss, val_loss, lr, ...}
    classifiers add train_accuracy and val_accuracy; the series forecaster adds
    val_naive_mse, the validation MSE of repeating the last value of each window; a GAN
    adds d_loss, g_loss (means over the epoch's steps; train_loss = g_loss), d_real and
    d_fake (the discriminator's mean probability of "real" on held-out real samples and on
    as many generated ones), and its val_loss is the discriminator's loss on those; on
    the mixture also modes_covered, how many of the 8 modes hold at least 2% of those
    generated samples within 3 standard deviations of their centre. A VAE adds
    train_reconstruction, train_kl, val_reconstruction and val_kl, the means per digit of
    its loss's two terms (its loss = reconstruction + beta * kl; see variational.py).
CONFUSION_MATRIX (classifiers, per epoch, validation set)
    {epoch, labels: [str], matrix: [[int]]}  rows are true classes, columns predictions.
CLASSIFICATION_REPORT (classifiers, per epoch, validation set)
    {epoch, labels, precision: [float], recall: [float], f1: [float], support: [int],
     macro: {precision, recall, f1}}  as scikit-learn's precision_recall_fscore_support
    with zero_division=0, over every class.
FAIRNESS (classifiers on a dataset with groups (hiring), per epoch, validation set)
    {epoch, groups: ["A", "B"], accuracy: [float], fpr: [float], fnr: [float],
     selection_rate: [float], base_rate: [float], ppv: [float],
     demographic_parity_difference, equal_opportunity_difference,
     equalized_odds_difference, predictive_parity_difference}
    per group, in the order of groups; "hired" is the positive outcome. The differences
    are the largest minus the smallest selection rate, true-positive rate (1 - fnr) and
    positive predictive value; equalized odds takes the larger of the true- and
    false-positive rate gaps (metrics.group_fairness).
GRADIENT_NORMS (per epoch, when optim.log_grad_norms)
    {epoch, layers: [str], norms: [float]}  per weight layer, input to output, the mean
    over the epoch's steps of the L2 norm of its weight gradient.
Snapshots, every max(1, epochs // 20) epochs and at the last epoch:
  DECISION_BOUNDARY (classifiers on 2-D data)
    {epoch, x: [float], y: [float], probabilities: [[float]], predicted: [[int]]}
    x and y are the grid's axes (40 points each, spanning the training data plus a margin,
    in the standardized coordinates of data_points). For 2 classes, probabilities is the
    probability of class 1; for more, the probability of the predicted class.
  MISCLASSIFIED (classifiers on 2-D data or square images)  {epoch, examples: [{true: int,
    predicted: int, index: int, point: [x, y] | image: [[float]]}]}  up to 4 wrongly
    classified validation samples per confusion-matrix cell, in validation order; points
    in data_points' coordinates, images as the model saw them (28x28 shown pooled to 14x14).
  FILTERS (cnn)  {epoch, layer: "conv1", kernels: [[[float]]]}  the first layer's kernels
    (first input channel), each divided by its largest absolute weight, so in [-1, 1].
  FEATURE_MAPS (cnn)  {epoch, label, image: [[float]], maps: [[[float]]]}  one fixed
    validation image and the first 8 of its first-layer activation maps, at most 28x28.
  FORECAST (rnn on series)  {epoch, true: [float], predicted: [float], naive: [float]}
    one-step-ahead forecasts of the first 200 validation steps, in standardized units.
  TEXT_SAMPLE (rnn on text, transformer)  {epoch, prompt: str, text: str}  200 characters the model
    writes after a validation prompt, sampled with a fixed seed.
  ATTENTION (transformer)  {epoch, tokens: [str], weights: [[[[float]]]]}  the first
    validation window's characters and, per decoder block and head, its attention
    weights: weights[layer][head][i][j] is how much position i attends to position j;
    each row sums to 1 and is 0 above the diagonal (causal).
  RECONSTRUCTIONS (autoencoder, vae)  {epoch, labels: [int], inputs: [[[float]]],
    noisy: [[[float]]] or null, outputs: [[[float]]]}  one validation digit per class,
    8x8 each; noisy holds what the denoising autoencoder was given; a VAE decodes the
    mean of each digit's code.
  LATENT (autoencoder, vae)  {epoch, method: "latent" | "pca", x: [float], y: [float],
    labels: [int]}  the codes of at most 300 validation digits (a VAE's: the means of
    q(z|x)): the code itself when latent_dim is 2, else its first two principal components.
  LATENT_GRID (vae)  {epoch, x: [float], y: [float], images: [[[[float]]]]}  8x8 decoded
    digits: images[i][j] decodes z = (x[j], y[i]) (x from -2 to 2, y from 2 to -2, the
    other latent dimensions at 0), each pixel's probability of being on.
  GAN_SAMPLES (gan, vae)  {epoch, format: "points", x: [float], y: [float]}  500 generated
    points, or {epoch, format: "images", images: [[[float]]]}  16 generated 8x8 digits;
    both from the same fixed noise every time, so the pictures show the generator move.
    A VAE's are 16 codes drawn once from its prior N(0, I), decoded.
  DISCRIMINATOR_SURFACE (gan on 2-D data)  {epoch, x: [float], y: [float],
    probabilities: [[float]]}  the discriminator's probability of "real" on a 40x40 grid.
EARLY_STOP (when early stopping ends training; the run counts as completed, not stopped)
    {epoch, best_val_loss_epoch, best_val_loss, patience, restore_best}  the epoch with
    the lowest validation loss and that loss. Runs stored before this name called
    best_val_loss_epoch `best_epoch` and had no restore_best.
WEIGHTS_RESTORED (optim.restore_best, once training ends: stopped early or at the last epoch)
    {epoch, weights_epoch, train_loss, val_loss, ...}  `epoch` is the last epoch trained,
    `weights_epoch` the one with the lowest validation loss, whose weights the model now
    holds; then the epoch METRIC's measurements taken again on those weights. The
    classifier's CONFUSION_MATRIX, CLASSIFICATION_REPORT, FAIRNESS and the pictures of
    the restored model follow, with epoch = weights_epoch.
RANKING (binary classifiers, once training ends: the final model, restored or not)
    {epoch, roc: {fpr, tpr, thresholds}, roc_auc, pr: {precision, recall},
     average_precision, calibration: {lower, count, mean_predicted, fraction_positive},
     n, n_positive}  on the validation set, from each sample's probability of class 1:
    see ranking.ranking_report (equal to scikit-learn's curves and areas).
CV_SUMMARY (after the last fold)
    {folds: [{fold, val_accuracy, macro_f1, epochs}], mean_val_accuracy,
     std_val_accuracy, sem_val_accuracy, mean_macro_f1, std_macro_f1, sem_macro_f1}
     each fold's final model (restored, with restore_best); std is the sample standard
     deviation across folds (ddof 1), sem = std / sqrt(folds) the standard error of the
     mean. Runs stored before sem existed have the population std (ddof 0) and no sem.
TEST_METRICS (at the end, with a test set)
    {accuracy, loss, labels, matrix, precision, recall, f1, support, macro, n_test}
    the final model on the held-out test set; under cross-validation, the model of the
    fold with the best final validation accuracy, named by `fold`. On data with groups,
    also fairness: the FAIRNESS payload without epoch, measured on the test set.
"""

from dataclasses import dataclass

INFO = "info"
DATA_POINTS = "data_points"
METRIC = "metric"
CONFUSION_MATRIX = "confusion_matrix"
CLASSIFICATION_REPORT = "classification_report"
FAIRNESS = "fairness"
MISCLASSIFIED = "misclassified"
GRADIENT_NORMS = "gradient_norms"
DECISION_BOUNDARY = "decision_boundary"
FILTERS = "filters"
FEATURE_MAPS = "feature_maps"
FORECAST = "forecast"
TEXT_SAMPLE = "text_sample"
ATTENTION = "attention"
RECONSTRUCTIONS = "reconstructions"
LATENT = "latent"
LATENT_GRID = "latent_grid"
GAN_SAMPLES = "gan_samples"
DISCRIMINATOR_SURFACE = "discriminator_surface"
EARLY_STOP = "early_stop"
WEIGHTS_RESTORED = "weights_restored"
RANKING = "ranking"
CV_SUMMARY = "cv_summary"
TEST_METRICS = "test_metrics"

# How a viewer keeps each event type: the browser's fold (static/js/live/state.js, through
# the contract generated by jobs/event_contract.py) follows this table, and
# tests/jobs/test_event_contract.py fails when a run emits a type missing here or unhandled
# there. A new event type gets a line here, or it never reaches a viewer.
LATEST = "latest"  # the newest replaces the earlier ones (one per run, or per fold)
SERIES = "series"  # every one kept, in order: a curve over steps or epochs
PER_EPOCH = "per_epoch"  # one per epoch it is reported at, shown at the epoch being viewed
KEPT_AS: dict[str, str] = {
    INFO: LATEST,
    DATA_POINTS: LATEST,
    METRIC: SERIES,
    GRADIENT_NORMS: SERIES,
    CONFUSION_MATRIX: PER_EPOCH,
    CLASSIFICATION_REPORT: PER_EPOCH,
    FAIRNESS: PER_EPOCH,
    MISCLASSIFIED: PER_EPOCH,
    DECISION_BOUNDARY: PER_EPOCH,
    FILTERS: PER_EPOCH,
    FEATURE_MAPS: PER_EPOCH,
    FORECAST: PER_EPOCH,
    TEXT_SAMPLE: PER_EPOCH,
    ATTENTION: PER_EPOCH,
    RECONSTRUCTIONS: PER_EPOCH,
    LATENT: PER_EPOCH,
    LATENT_GRID: PER_EPOCH,
    GAN_SAMPLES: PER_EPOCH,
    DISCRIMINATOR_SURFACE: PER_EPOCH,
    EARLY_STOP: LATEST,
    WEIGHTS_RESTORED: LATEST,
    RANKING: LATEST,
    CV_SUMMARY: LATEST,
    TEST_METRICS: LATEST,
}

# Returned by an `on_event` callback to ask the training loop to stop.
STOP = "stop"


@dataclass(frozen=True)
class Event:
    type: str
    payload: dict  # plain ints, finite floats, strings and lists only: stored as JSON as is
