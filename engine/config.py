"""Training configs: each field declared once, and the frozen dataclasses configs parse into.

Every accepted field, with its type, bounds and default, is declared once in CONFIG_FIELDS;
parsing, normalization (`TrainConfig.to_dict`) and the JSON Schema are all derived from it.
The fields of the "model" section depend on `model.kind`: each FieldSpec names the kinds
that have it, and a field of another kind is rejected as unknown. Rules that tie several
fields together (split sizes, which data suits which model, the compute budget) live in
`config_rules`.
"""

from dataclasses import asdict, dataclass
from typing import Literal

from engine.catalog import (
    ACTIVATIONS,
    CLASS_WEIGHTS,
    DATASET_CLASSES,
    IMBALANCEABLE_DATASETS,
    LOGIC_GATES,
    MODEL_KINDS,
    OPTIMIZERS,
    POSITIONAL_ENCODINGS,
    REWEIGHTS,
    RNN_CELLS,
    SCHEDULES,
    STANDARD_BASES,
    WEIGHT_INITS,
)

FULL_BATCH = "full"
ALL_SAMPLES = "all"
ALL_LAYERS = "all"

FieldType = Literal["integer", "number", "boolean", "choice", "integer_list", "choice_list"]


@dataclass(frozen=True)
class FieldSpec:
    type: FieldType
    description: str  # the full story, for the API docs
    default: object = None  # None marks a required field: no field has None as a legal value
    minimum: float | None = None  # for "integer_list", the bounds apply to each item
    maximum: float | None = None
    exclusive_minimum: bool = False
    choices: tuple = ()  # for "choice_list", the choices of each item
    min_items: int = 0
    max_items: int | None = None
    also_accepts: str | int | None = None  # a literal accepted besides the range ("full", 0)
    kinds: tuple[str, ...] = ()  # model fields only: the kinds that have it; () means all
    kind_defaults: tuple[tuple[str, object], ...] = ()  # (kind, default) where it differs
    # For people: a form label and one line of help (lab forms, the admin, the API docs).
    label: str = ""
    help: str = ""

    @property
    def required(self) -> bool:
        return self.default is None

    def has_kind(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds

    def default_for(self, kind: str | None) -> object:
        return dict(self.kind_defaults).get(kind, self.default)


CONFIG_FIELDS: dict[str, FieldSpec] = {
    "model.kind": FieldSpec(
        "choice", "Architecture family.", choices=MODEL_KINDS,
        label="Model type", help="Which family of network to train.",
    ),
    "model.hidden": FieldSpec(
        "integer_list",
        "Units of each hidden layer, input to output; [] is a linear model. For an "
        "autoencoder, the encoder's layers (the decoder mirrors them); for a GAN, the layers "
        "of both the generator and the discriminator; for a VAE, the encoder's layers before "
        "its mean and log-variance (the decoder mirrors them).",
        default=(16, 16), minimum=1, maximum=256, max_items=6,
        kinds=("mlp", "autoencoder", "gan", "vae"),
        kind_defaults=(("autoencoder", (64,)), ("gan", (64, 64)), ("vae", (64,))),
        label="Hidden layers (units each)",
        help="Units in each hidden layer, comma-separated, e.g. 16, 16; empty for a linear model.",
    ),
    "model.activation": FieldSpec(
        "choice", "Non-linearity after each hidden layer.", default="relu", choices=ACTIVATIONS,
        kinds=("mlp", "cnn", "autoencoder", "gan", "vae"),
        kind_defaults=(("gan", "leaky_relu"),),
        label="Activation function", help="The non-linearity after each hidden layer.",
    ),
    "model.activations": FieldSpec(
        "choice_list",
        "One non-linearity per hidden layer, overriding model.activation; [] uses "
        "model.activation for every layer.",
        default=(), choices=ACTIVATIONS, max_items=6, kinds=("mlp",),
        label="Activation of each layer",
        help="One non-linearity per hidden layer, comma-separated; empty uses the activation "
        "function.",
    ),
    "model.channels": FieldSpec(
        "integer_list", "Output channels of each convolutional layer, input to output.",
        default=(8, 16), minimum=1, maximum=32, min_items=1, max_items=8, kinds=("cnn",),
        label="Convolution channels",
        help="Output channels of each convolutional layer, comma-separated, e.g. 8, 16.",
    ),
    "model.kernel_size": FieldSpec(
        "choice", "Side of the square convolution kernels.", default=3, choices=(3, 5),
        kinds=("cnn",),
        label="Kernel size", help="Side in pixels of each square convolution kernel.",
    ),
    "model.pool": FieldSpec(
        "boolean",
        "2x2 max-pooling after each convolution, as long as the maps stay at least 2 "
        "pixels wide.",
        default=True, kinds=("cnn",),
        label="Max-pooling",
        help="Halve the feature maps with 2×2 max-pooling after each convolution.",
    ),
    "model.dropout": FieldSpec(
        "number",
        "Probability of zeroing each hidden unit during training (0 = off); for cnn, each "
        "of the flattened features the classifier reads.",
        default=0.0, minimum=0, maximum=0.9, kinds=("mlp", "cnn"),
        label="Dropout rate", help="Chance of zeroing each hidden unit during training (0 = off).",
    ),
    "model.batch_norm": FieldSpec(
        "boolean", "Batch normalization before each hidden non-linearity.",
        default=False, kinds=("mlp", "cnn"),
        label="Batch normalization", help="Normalize each hidden layer's inputs over the batch.",
    ),
    "model.stride": FieldSpec(
        "choice",
        "Stride of each convolution (of each residual block's first one): 2 halves the maps, "
        "as long as they stay at least 2 pixels wide, like pooling but learned.",
        default=1, choices=(1, 2), kinds=("cnn",),
        label="Stride", help="Step of each convolution in pixels: 2 halves the feature maps.",
    ),
    "model.residual": FieldSpec(
        "boolean",
        "Residual blocks: each entry of model.channels becomes two convolutions (conv -> "
        "[BatchNorm] -> activation -> conv -> [BatchNorm]) whose block input is added back "
        "before the last activation, through a 1x1 convolution when the channels or the "
        "stride change.",
        default=False, kinds=("cnn",),
        label="Residual blocks",
        help="Make each layer a residual block: two convolutions plus a skip connection.",
    ),
    "model.init": FieldSpec(
        "choice",
        'How every Linear layer\'s weights are drawn before training. "default" keeps '
        "PyTorch's (weights and biases uniform in ±1/√fan_in); \"xavier\" is Glorot's normal "
        'initialization, std √(2 / (fan_in + fan_out)); "he" is He (Kaiming) normal, std '
        '√(2 / fan_in), made for ReLU; "normal" has std init_scale / √fan_in. All but '
        '"default" start the biases at 0.',
        default="default", choices=WEIGHT_INITS, kinds=("mlp",),
        label="Weight initialization",
        help="How the starting weights are drawn: PyTorch's default, Xavier, He, or a normal "
        "of the scale below.",
    ),
    "model.init_scale": FieldSpec(
        "number",
        'The spread of "normal" initialization: each weight has standard deviation '
        "init_scale / √fan_in (1 keeps the variance of a linear layer's output, √2 is He's "
        'for ReLU); only used by model.init "normal".',
        default=1.0, minimum=0, maximum=5, exclusive_minimum=True, kinds=("mlp",),
        label="Initialization scale",
        help='Each weight\'s standard deviation times √fan_in (initialization "normal" only).',
    ),
    "model.layer_norm": FieldSpec(
        "boolean",
        "Layer normalization before each hidden non-linearity: each example's pre-activations "
        "are normalized over the layer's units (torch.nn.LayerNorm), then scaled and shifted "
        "by a learned γ and β per unit. It needs no batch statistics, so training and "
        "evaluation compute the same thing. Not together with model.batch_norm.",
        default=False, kinds=("mlp",),
        label="Layer normalization",
        help="Normalize each example's hidden layer over its own units (not over the batch).",
    ),
    "model.cell": FieldSpec(
        "choice", "Recurrent cell.", default="lstm", choices=RNN_CELLS, kinds=("rnn",),
        label="Recurrent cell", help="The recurrent unit: a plain RNN, an LSTM or a GRU.",
    ),
    "model.hidden_size": FieldSpec(
        "integer", "Units of the recurrent state.", default=32, minimum=1, maximum=256,
        kinds=("rnn",),
        label="Hidden state size", help="Units in the state carried from one step to the next.",
    ),
    "model.num_layers": FieldSpec(
        "integer", "Stacked recurrent layers (rnn), or decoder blocks (transformer).",
        default=1, minimum=1, maximum=3, kinds=("rnn", "transformer"),
        kind_defaults=(("transformer", 2),),
        label="Layers", help="How many recurrent layers or decoder blocks are stacked.",
    ),
    "model.latent_dim": FieldSpec(
        "integer",
        "Size of the code: the autoencoder's bottleneck, the GAN generator's noise input, or "
        "the VAE's latent variable z (2 lets its decoded grid cover the whole latent space).",
        default=8, minimum=2, maximum=32, kinds=("autoencoder", "gan", "vae"),
        kind_defaults=(("vae", 2),),
        label="Latent size",
        help="Size of the code: the autoencoder's bottleneck, the GAN's noise input or the "
        "VAE's z.",
    ),
    "model.denoise_noise": FieldSpec(
        "number",
        "Standard deviation of the Gaussian noise added to the inputs, which the model "
        "learns to remove (0 = a plain autoencoder).",
        default=0.0, minimum=0, maximum=1, kinds=("autoencoder",),
        label="Input noise to remove",
        help="Noise added to the inputs for the model to remove (0 = a plain autoencoder).",
    ),
    "model.beta": FieldSpec(
        "number",
        "Weight of the KL term in the VAE's loss: reconstruction + beta * KL(q(z|x) || N(0, I)). "
        "1 is the negative ELBO; above 1 pulls the codes harder towards the prior (smoother "
        "latent space, blurrier digits); 0 drops the prior and leaves a noisy autoencoder.",
        default=1.0, minimum=0, maximum=10, kinds=("vae",),
        label="KL weight β",
        help="Weight of the KL term: 1 is the plain VAE, above 1 a smoother latent space.",
    ),
    "model.d_model": FieldSpec(
        "integer",
        "transformer: the width of every position's vector (token embedding, positional "
        "encoding, attention and residual stream); the MLP of each block is 4 times wider.",
        default=32, minimum=4, maximum=128, kinds=("transformer",),
        label="Model width (d_model)",
        help="Numbers per position: embeddings, attention and the residual stream.",
    ),
    "model.heads": FieldSpec(
        "integer",
        "transformer: attention heads per block; each attends with d_model / heads "
        "dimensions, so heads must divide d_model.",
        default=4, minimum=1, maximum=8, kinds=("transformer",),
        label="Attention heads", help="Heads per block; each must get d_model / heads numbers.",
    ),
    "model.positional": FieldSpec(
        "choice",
        'transformer: how positions are told apart. "sinusoidal" adds fixed sines and '
        "cosines of the position at geometric frequencies (Vaswani et al. 2017); \"learned\" "
        "adds a trained vector per position of the window.",
        default="sinusoidal", choices=POSITIONAL_ENCODINGS, kinds=("transformer",),
        label="Positional encoding", help="Fixed sinusoids, or a learned vector per position.",
    ),
    "data.name": FieldSpec(
        "choice", "Dataset.", choices=tuple(DATASET_CLASSES),
        label="Dataset", help="Which data the model learns from.",
    ),
    "data.n_samples": FieldSpec(
        "integer",
        "Samples in train, validation and test together; for digits, a stratified random "
        "subset of at most this many of its 1797 images; for series and text, windows.",
        default=500, minimum=20, maximum=5000,
        label="Samples", help="How many examples in all: training, validation and test.",
    ),
    "data.noise": FieldSpec(
        "number",
        "Noise of the generated sets: standard deviation of the points (in radians for "
        "spiral), of the pixels of shapes, of the series' values, of each mixture mode, of "
        "the hiring set's qualification score, of the logic set's points around their "
        "corners; ignored for digits and text.",
        default=0.2, minimum=0, maximum=2,
        label="Data noise", help="How noisy the generated data is (0 = clean).",
    ),
    "data.val_fraction": FieldSpec(
        "number",
        "Share of the samples held out for validation; both sides of the split need at "
        "least 2 samples and one per class. Unused with cross-validation.",
        default=0.2, minimum=0.05, maximum=0.5,
        label="Validation share",
        help="Share of the samples held out to measure how well the model generalizes.",
    ),
    "data.test_fraction": FieldSpec(
        "number",
        "Share of the samples held out as a test set, measured once at the end "
        "(classifiers only; 0 = none).",
        default=0.0, minimum=0, maximum=0.5,
        label="Test share",
        help="Share of the samples kept for one final test at the end (0 = none).",
    ),
    "data.train_size": FieldSpec(
        "integer",
        f'Use at most this many training samples (a stratified subset); "{ALL_SAMPLES}" '
        "uses all. Small training sets make overfitting visible.",
        default=ALL_SAMPLES, minimum=2, maximum=5000, also_accepts=ALL_SAMPLES,
        label="Training samples", help='Train on at most this many samples ("all" = every one).',
    ),
    "data.window": FieldSpec(
        "integer",
        "Steps (series) or characters (text) the model reads to predict the next one; "
        "ignored by the other datasets.",
        default=16, minimum=2, maximum=64,
        label="Window length", help="Steps or characters the model reads to predict the next one.",
    ),
    "data.group_b_share": FieldSpec(
        "number",
        "hiring only: the share of the training samples that come from group B "
        "(representation bias; 0.5 = as many as group A). Validation and test sets are "
        "always half A, half B.",
        default=0.5, minimum=0.05, maximum=0.5,
        label="Share of group B",
        help="Share of the training samples from group B (0.5 = as many as group A).",
    ),
    "data.label_bias": FieldSpec(
        "number",
        "hiring only: the share of group B's positive training labels flipped to negative "
        "(historical bias: qualified B applicants recorded as not hired). Validation and "
        "test labels are never flipped.",
        default=0.0, minimum=0, maximum=0.5,
        label="Label bias against group B",
        help="Share of group B's hired labels flipped to not hired in the training data.",
    ),
    "data.base_rate_b": FieldSpec(
        "number",
        "hiring only: the share of group B's applicants who are qualified, in every split "
        "(group A's is 0.5). Below 0.5 the groups' base rates differ, and demographic "
        "parity, equalized odds and predictive parity can no longer all hold.",
        default=0.5, minimum=0.1, maximum=0.5,
        label="Qualified share of group B",
        help="Share of group B's applicants who are qualified (group A: 0.5), in every split.",
    ),
    "data.use_group_feature": FieldSpec(
        "boolean",
        "hiring only: give the model the group as an input column. Without it the model "
        "can still infer the group from the postcode feature, which correlates with it.",
        default=True,
        label="Group as an input", help="Give the model each applicant's group as an input column.",
    ),
    "data.gate": FieldSpec(
        "choice",
        "logic only: the gate whose truth table labels the four corners (0, 0), (0, 1), "
        "(1, 0) and (1, 1); each sample is a copy of a corner moved by Gaussian noise of "
        "standard deviation data.noise.",
        default="and", choices=tuple(LOGIC_GATES),
        label="Logic gate", help="Which truth table labels the four corners.",
    ),
    "data.minority_fraction": FieldSpec(
        "number",
        f"Two-class point clouds ({', '.join(IMBALANCEABLE_DATASETS)}) only: the share of "
        "the samples in class 1, the positive class, kept rare (0.5 = the balanced set). "
        "The points are drawn as usual and class 1 is thinned at random; the splits stay "
        "stratified, so training, validation and test sets all have this share.",
        default=0.5, minimum=0.02, maximum=0.5,
        label="Share of class 1",
        help="Share of the samples in class 1, the rare positive class (0.5 = balanced).",
    ),
    "data.augment_shift": FieldSpec(
        "integer",
        "Digits only (mlp, cnn): data augmentation by random shifts. Every time a training "
        "image is drawn into a batch it is moved by a whole number of pixels, drawn "
        "uniformly from -augment_shift to +augment_shift, across and down independently; "
        "pixels moved in from outside are 0. Validation and test images are never moved "
        "(0 = off).",
        default=0, minimum=0, maximum=2,
        label="Random shift (pixels)",
        help="Move each training image by up to this many pixels every time it is used (0 = off).",
    ),
    "data.augment_rotation_deg": FieldSpec(
        "number",
        "Digits only (mlp, cnn): data augmentation by small rotations. Every time a "
        "training image is drawn into a batch it is rotated about its centre by an angle "
        "drawn uniformly from -augment_rotation_deg to +augment_rotation_deg degrees "
        "(bilinear interpolation), before any shift. Validation and test images are never "
        "rotated (0 = off).",
        default=0.0, minimum=0, maximum=30,
        label="Random rotation (degrees)",
        help="Rotate each training image by up to this many degrees every time it is used "
        "(0 = off).",
    ),
    "data.seed": FieldSpec(
        "integer",
        "Seeds the data, the split, the initial weights and the shuffling.",
        default=0, minimum=0, maximum=2**31 - 1,
        label="Random seed",
        help="Fixes the data, the split, the initial weights and the shuffling.",
    ),
    "optim.name": FieldSpec(
        "choice",
        'Optimizer. "adam" applies weight_decay as an L2 term added to the gradient '
        '(coupled: Adam then rescales it like the gradient); "adamw" is Adam with decoupled '
        "weight decay: each step also shrinks the weights by the factor (1 - lr * "
        "weight_decay), apart from the gradient step.",
        choices=OPTIMIZERS,
        label="Optimizer", help="The rule that turns gradients into weight updates.",
    ),
    "optim.lr": FieldSpec(
        "number", "Learning rate (at the first epoch, when scheduled).",
        minimum=0, maximum=10, exclusive_minimum=True,
        label="Learning rate", help="Size of each update step.",
    ),
    "optim.batch_size": FieldSpec(
        "integer",
        f'Samples per optimizer step; "{FULL_BATCH}", or any size at least the training '
        "set, means full-batch gradient descent.",
        default=32, minimum=1, maximum=5000, also_accepts=FULL_BATCH,
        label="Batch size", help='Samples per update ("full" = the whole training set).',
    ),
    "optim.epochs": FieldSpec(
        "integer", "Passes over the training set.", minimum=1, maximum=200,
        label="Epochs", help="Passes over the training set.",
    ),
    "optim.momentum": FieldSpec(
        "number", 'Momentum coefficient; only used by "momentum".',
        default=0.9, minimum=0, maximum=0.999,
        label="Momentum",
        help='How much of the previous update carries over (optimizer "momentum" only).',
    ),
    "optim.weight_decay": FieldSpec(
        "number",
        'Weight decay (0 = off): an L2 penalty added to the gradient, except with "adamw", '
        "which multiplies the weights by (1 - lr * weight_decay) every step instead.",
        default=0.0, minimum=0, maximum=1,
        label="Weight decay", help="L2 penalty pulling the weights towards 0 (0 = off).",
    ),
    "optim.schedule": FieldSpec(
        "choice",
        'How the learning rate changes between epochs: "step" multiplies it by gamma every '
        'step_size epochs, "cosine" lowers it along a half cosine to 0 at the end.',
        default="constant", choices=SCHEDULES,
        label="Learning-rate schedule", help="How the learning rate changes from epoch to epoch.",
    ),
    "optim.step_size": FieldSpec(
        "integer", 'Epochs between learning-rate drops; only used by the "step" schedule.',
        default=10, minimum=1, maximum=200,
        label="Epochs between drops",
        help='Epochs between learning-rate drops ("step" schedule only).',
    ),
    "optim.gamma": FieldSpec(
        "number", 'Factor of each learning-rate drop; only used by the "step" schedule.',
        default=0.5, minimum=0, maximum=1, exclusive_minimum=True,
        label="Drop factor",
        help='What each drop multiplies the learning rate by ("step" schedule only).',
    ),
    "optim.warmup_epochs": FieldSpec(
        "integer",
        "Linear learning-rate warmup (0 = off): epoch e of the first warmup_epochs trains "
        "with lr * e / (warmup_epochs + 1); the schedule then runs over the epochs after "
        "the warmup. Must be less than epochs.",
        default=0, minimum=0, maximum=199,
        label="Warmup epochs",
        help="Epochs over which the learning rate ramps up linearly before the schedule.",
    ),
    "optim.early_stopping_patience": FieldSpec(
        "integer",
        "End training once the validation loss has not improved for this many epochs "
        "(0 = off).",
        default=0, minimum=0, maximum=200,
        label="Early-stopping patience",
        help="Stop after this many epochs without a better validation loss (0 = off).",
    ),
    "optim.restore_best": FieldSpec(
        "boolean",
        "With early stopping: when training ends (stopped early or at the last epoch), "
        "put back the weights of the epoch with the lowest validation loss; the final "
        "metrics and the saved model are then that epoch's. Off: the model is the last "
        "epoch's.",
        default=False,
        label="Restore the best weights",
        help="With early stopping: keep the epoch with the lowest validation loss, not the last.",
    ),
    "optim.clip_grad_norm": FieldSpec(
        "number",
        "Gradient clipping (0 = off): before each optimizer step, when the norm of all the "
        "gradients together (every trainable parameter's, as one vector) is above this, they "
        "are all scaled down to this norm (torch.nn.utils.clip_grad_norm_), keeping their "
        "direction. A GAN clips each of its two networks on its own. Gradient norms are "
        "reported as clipped.",
        default=0.0, minimum=0, maximum=100,
        label="Gradient clipping (max norm)",
        help="Scale the whole gradient down to at most this norm before each step (0 = off).",
    ),
    "optim.label_smoothing": FieldSpec(
        "number",
        "Label smoothing ε for classifiers (0 = off): the training loss is the cross-entropy "
        "against targets 1 - ε + ε/K for the true class and ε/K for each of the other K - 1 "
        "classes (torch's cross_entropy(label_smoothing=ε)). The measured train and "
        "validation losses stay the plain cross-entropy against the true labels.",
        default=0.0, minimum=0, maximum=0.9,
        label="Label smoothing",
        help="Share ε of each target spread evenly over all classes (0 = off).",
    ),
    "optim.log_grad_norms": FieldSpec(
        "boolean", "Report each layer's mean weight-gradient norm every epoch.", default=False,
        label="Record gradient norms", help="Chart the size of each layer's gradient every epoch.",
    ),
    "optim.reweight": FieldSpec(
        "choice",
        'Weights of the samples in the loss: "group_label" gives every (group, label) cell '
        "of the training set the same total weight (Kamiran & Calders' reweighing, with "
        'equal cells), so a rare group or a rare label counts as much as a common one; '
        '"none" weighs every sample the same. Only for datasets with groups (hiring).',
        default="none", choices=REWEIGHTS,
        label="Sample weights",
        help="Give every (group, label) cell of the training set the same total weight.",
    ),
    "optim.class_weights": FieldSpec(
        "choice",
        'Class weights in a classifier\'s training loss: "balanced" weighs class k by '
        "n / (K · n_k), from the counts n_k of the training set (K classes, n samples), so "
        "every class adds the same total weight and a rare class counts as much as a common "
        "one (torch's cross_entropy(weight=...), which divides by the summed weights of the "
        'batch); "none" weighs every sample the same. The measured train and validation '
        "losses stay unweighted.",
        default="none", choices=CLASS_WEIGHTS,
        label="Class weights",
        help='"balanced" makes each class weigh the same in the loss, however rare it is.',
    ),
    "transfer.base_job": FieldSpec(
        "integer",
        "Transfer learning: start from the trained model of this finished job (yours, or a "
        "deployed model's job) instead of from random weights; 0 = train from scratch. The "
        "model section must have the base's layers (left out, it is the base's); the "
        "output layer is always new, since it maps to this job's classes.",
        default=0, minimum=1, maximum=2**31 - 1, also_accepts=0,
        label="Base job", help="Start from this finished job's trained model (0 = from scratch).",
    ),
    "transfer.base_name": FieldSpec(
        "choice",
        'Transfer learning from one of the platform\'s standard base models instead of a '
        'job ("none" = no standard base).',
        default="none", choices=("none", *STANDARD_BASES),
        label="Base model", help="Start from one of the platform's standard trained models.",
    ),
    "transfer.freeze": FieldSpec(
        "integer",
        "Transfer learning: how many of the base's layers, from the input, keep their weights "
        f'(batch norm statistics included); "{ALL_LAYERS}" freezes every layer but the new '
        "output layer (feature extraction); 0 fine-tunes them all.",
        default=0, minimum=0, maximum=6, also_accepts=ALL_LAYERS,
        label="Frozen layers",
        help='Base layers, from the input, that keep their weights ("all" = all but the output).',
    ),
    "eval.cv_folds": FieldSpec(
        "integer",
        "Stratified k-fold cross-validation: train one model per fold, each validated on "
        "its own fold (0 = off, the usual single split).",
        default=0, minimum=2, maximum=10, also_accepts=0,
        label="Cross-validation folds",
        help="Train one model per fold, each validated on its own fold (0 = off).",
    ),
}


@dataclass(frozen=True)
class MlpConfig:
    kind: str
    hidden: tuple[int, ...]
    activation: str
    activations: tuple[str, ...]
    dropout: float
    batch_norm: bool
    # Defaults repeat CONFIG_FIELDS' for code that builds an MlpConfig by hand.
    init: str = "default"
    init_scale: float = 1.0
    layer_norm: bool = False

    def layer_activations(self) -> tuple[str, ...]:
        return self.activations or (self.activation,) * len(self.hidden)


@dataclass(frozen=True)
class CnnConfig:
    kind: str
    activation: str
    channels: tuple[int, ...]
    kernel_size: int
    pool: bool
    dropout: float
    batch_norm: bool
    # Defaults repeat CONFIG_FIELDS' for code that builds a CnnConfig by hand.
    stride: int = 1
    residual: bool = False


@dataclass(frozen=True)
class RnnConfig:
    kind: str
    cell: str
    hidden_size: int
    num_layers: int


@dataclass(frozen=True)
class TransformerConfig:
    kind: str
    num_layers: int
    d_model: int
    heads: int
    positional: str


@dataclass(frozen=True)
class AutoencoderConfig:
    kind: str
    hidden: tuple[int, ...]
    activation: str
    latent_dim: int
    denoise_noise: float


@dataclass(frozen=True)
class GanConfig:
    kind: str
    hidden: tuple[int, ...]
    activation: str
    latent_dim: int


@dataclass(frozen=True)
class VaeConfig:
    kind: str
    hidden: tuple[int, ...]
    activation: str
    latent_dim: int
    beta: float


ModelConfig = (
    MlpConfig | CnnConfig | RnnConfig | AutoencoderConfig | GanConfig | VaeConfig
    | TransformerConfig
)

MODEL_CONFIGS: dict[str, type] = {
    "mlp": MlpConfig,
    "cnn": CnnConfig,
    "rnn": RnnConfig,
    "autoencoder": AutoencoderConfig,
    "gan": GanConfig,
    "vae": VaeConfig,
    "transformer": TransformerConfig,
}


@dataclass(frozen=True)
class DataConfig:
    name: str
    n_samples: int
    noise: float
    val_fraction: float
    test_fraction: float
    train_size: int | Literal["all"]
    window: int
    seed: int
    # Defaults repeat CONFIG_FIELDS' for code that builds a DataConfig by hand.
    group_b_share: float = 0.5
    label_bias: float = 0.0
    base_rate_b: float = 0.5
    use_group_feature: bool = True
    gate: str = "and"
    minority_fraction: float = 0.5
    augment_shift: int = 0
    augment_rotation_deg: float = 0.0


@dataclass(frozen=True)
class OptimConfig:
    name: str
    lr: float
    batch_size: int | Literal["full"]
    epochs: int
    momentum: float
    weight_decay: float
    schedule: str
    step_size: int
    gamma: float
    early_stopping_patience: int
    log_grad_norms: bool
    reweight: str = "none"
    restore_best: bool = False
    clip_grad_norm: float = 0.0
    warmup_epochs: int = 0
    label_smoothing: float = 0.0
    class_weights: str = "none"


@dataclass(frozen=True)
class EvalConfig:
    cv_folds: int


@dataclass(frozen=True)
class TransferConfig:
    base_job: int = 0
    base_name: str = "none"
    freeze: int | Literal["all"] = 0

    @property
    def enabled(self) -> bool:
        return bool(self.base_job) or self.base_name != "none"


# The model section's dataclass depends on model.kind (MODEL_CONFIGS).
SECTIONS = {
    "model": None, "data": DataConfig, "optim": OptimConfig, "eval": EvalConfig,
    "transfer": TransferConfig,
}


def section_fields(section: str, kind: str | None = None) -> dict[str, FieldSpec]:
    """The fields of a section by name; for "model", those of `kind` (all when None)."""
    fields = {}
    for path, spec in CONFIG_FIELDS.items():
        owner, name = path.split(".")
        if owner == section and (kind is None or spec.has_kind(kind)):
            fields[name] = spec
    return fields


def section_is_required(section: str) -> bool:
    """A section whose fields all have defaults may be left out."""
    return any(spec.required for spec in section_fields(section).values())


@dataclass(frozen=True)
class TrainConfig:
    model: ModelConfig
    data: DataConfig
    optim: OptimConfig
    eval: EvalConfig
    transfer: TransferConfig = TransferConfig()

    def to_dict(self) -> dict:
        """The full config with defaults filled in, as plain JSON-compatible values; the
        transfer section only when there is a base, so a config from scratch reads as it
        always did."""
        return {
            section: {
                name: list(value) if isinstance(value, tuple) else value
                for name, value in asdict(getattr(self, section)).items()
            }
            for section in SECTIONS
            if section != "transfer" or self.transfer.enabled
        }


class ConfigError(Exception):
    """A config was rejected; `errors` maps each offending dotted field path to the reason."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{path}: {reason}" for path, reason in errors.items()))
        self.errors = errors
