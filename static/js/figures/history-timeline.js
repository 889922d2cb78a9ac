// A timeline of deep learning's milestones: select an event (click, or arrow keys, Home and
// End) to read what happened and open the lesson of this course that teaches the idea.
import { el } from "./common.js";

const COURSE = "/courses/foundations";

// Dates are those of the publication or result named; `lesson` is the slug of the lesson
// that teaches the idea (tests/browser/test_figure_history_timeline.py checks each exists).
export const EVENTS = [
  { year: 1943, title: "The artificial neuron", lesson: "artificial-neurons", lessonTitle: "Artificial neurons",
    note: "McCulloch and Pitts model a neuron as a binary unit that fires when enough of its inputs are active to reach a threshold; its connections are fixed, nothing is learned yet." },
  { year: 1958, title: "The perceptron", lesson: "artificial-neurons", lessonTitle: "Artificial neurons",
    note: "Rosenblatt's perceptron learns its weights from labelled examples instead of having them set by hand." },
  { year: 1969, title: "Perceptrons, the book", lesson: "artificial-neurons", lessonTitle: "Artificial neurons",
    note: "Minsky and Papert analyse what single-layer perceptrons can compute: not XOR or any other function that is not linearly separable, and not parity or connectedness without units that see the whole input; interest and funding fade." },
  { year: 1986, title: "Backpropagation popularised", lesson: "backpropagation", lessonTitle: "Backpropagation",
    note: "Rumelhart, Hinton and Williams show that backpropagation trains multi-layer networks, which learn useful hidden representations." },
  { year: 1989, title: "A convolutional network reads zip codes", lesson: "convolutional-networks", lessonTitle: "Convolutional neural networks (CNNs)",
    note: "LeCun and colleagues train a convolutional network with backpropagation on handwritten US zip-code digits; LeNet-5, described in 1998, is part of a system that reads bank cheques." },
  { year: 1997, title: "Long short-term memory", lesson: "recurrent-networks", lessonTitle: "Recurrent neural networks (RNNs)",
    note: "Hochreiter and Schmidhuber's LSTM adds gates to a recurrent network so that it can carry information across long sequences." },
  { year: 2012, title: "AlexNet wins ImageNet", lesson: "convolutional-networks", lessonTitle: "Convolutional neural networks (CNNs)",
    note: "Krizhevsky, Sutskever and Hinton's deep convolutional network, trained on GPUs with ReLU and dropout, wins the ImageNet challenge by a wide margin." },
  { year: 2014, title: "Generative adversarial networks", lesson: "generative-adversarial-networks", lessonTitle: "Generative adversarial networks (GANs)",
    note: "Goodfellow and colleagues train a generator against a discriminator, so that the generator learns to produce realistic samples." },
  { year: 2014, title: "The Adam optimizer", lesson: "optimizers", lessonTitle: "Optimizers",
    note: "Kingma and Ba (on arXiv in December 2014, at ICLR 2015) combine momentum with per-parameter step sizes; Adam becomes the default optimizer of many labs, this course's included." },
  { year: 2015, title: "Residual networks", lesson: "initialization-and-unstable-gradients", lessonTitle: "Initialization and unstable gradients",
    note: "He and colleagues add identity skip connections, so each block learns only a change to its input: deeper networks stop training worse than shallower ones, and a 152-layer one wins ImageNet 2015." },
  { year: 2017, title: "The transformer", lesson: "transformers", lessonTitle: "Transformers",
    note: "Vaswani and colleagues' \"Attention Is All You Need\" drops recurrence for attention; transformers now underlie large language models." },
];

export function lessonUrl(event) {
  return `${COURSE}/${event.lesson}/`;
}

export function mount(root) {
  root.append(el("p", { class: "figure-title", text: "Milestones of deep learning" }));
  const list = el("ol", { class: "timeline-events", "aria-label": "Milestones, oldest first" });
  const buttons = EVENTS.map((event, i) => {
    const button = el("button", { type: "button", class: "timeline-event" },
      el("span", { class: "timeline-year", text: String(event.year) }),
      el("span", { class: "timeline-name", text: event.title }));
    button.addEventListener("click", () => select(i));
    button.addEventListener("keydown", (key) => {
      const target = { ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1,
        Home: 0, End: EVENTS.length - 1 }[key.key];
      if (target === undefined) return;
      key.preventDefault();
      const next = Math.min(Math.max(target, 0), EVENTS.length - 1);
      select(next);
      buttons[next].focus();
    });
    list.append(el("li", {}, button));
    return button;
  });
  const heading = el("p", { class: "timeline-heading" });
  const note = el("p", { class: "timeline-note" });
  const link = el("a", { class: "timeline-lesson" });
  const detail = el("div", { class: "figure-readout timeline-detail", "aria-live": "polite" },
    heading, note, el("p", {}, "Learn it in: ", link));
  root.append(list, detail);

  function select(i) {
    const event = EVENTS[i];
    buttons.forEach((button, j) => {
      button.setAttribute("aria-pressed", String(i === j));
      button.tabIndex = i === j ? 0 : -1;
    });
    heading.textContent = `${event.year}: ${event.title}`;
    note.textContent = event.note;
    link.href = lessonUrl(event);
    link.textContent = event.lessonTitle;
  }
  select(0);
}
