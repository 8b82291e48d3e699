// A learner's page in a class (/join/{code}): the instructor's explorer, followed live, and the questions.
//
// Following, the explorer shows each state the instructor sends and draws it with the answer the server
// computed once for the whole room (its requests are served from those answers, not sent). Touching a
// control detaches it ("Explore on my own": moves stay on this screen, asked of the server as usual);
// "Follow the instructor" snaps back to the latest state. Answers to questions are counted anonymously;
// this page alone knows what it answered and how far that was from the truth. An explorer with live runs
// (the lab) shows the instructor's runs, relayed by the server without their ids, while following.
import { LogSlider } from "../lib/log-slider.js";
import { routeLiveRequests } from "../lib/live.js";
import { answerText, distanceText, drawHistogram, formatValue } from "./question-view.js";
import { ClassSocket } from "./socket.js";

const bar = document.querySelector('[data-role="follow-bar"]');
const code = bar.dataset.code;
const modeLine = bar.querySelector('[data-role="follow-mode"]');
const toggle = bar.querySelector('[data-follow-action="toggle"]');
const card = document.querySelector('[data-role="follow-question"]');
const root = document.querySelector("[data-demo-widget] [data-widget]");
const ANSWER_KEY = `brewslm-class:answer:${code}`;
const CACHE_SIZE = 8;

let following = true;
let ended = false;
let latest = null;            // the instructor's latest state frame
const answers = new Map();    // "path\nbody" → the server's answer, newest last
let question = null;
let socket = null;

const requestKey = (path, body) => `${path}\n${JSON.stringify(body)}`;

/** State values as the text a link or lesson would give the explorer (full precision, so its requests match). */
function toParams(state) {
  const params = {};
  for (const [key, value] of Object.entries(state)) {
    params[key] = Array.isArray(value) ? value.map(String).join(",") : String(value);
  }
  return params;
}

function showMode() {
  toggle.hidden = ended;
  toggle.textContent = following ? "Explore on my own" : "Follow the instructor";
  document.body.dataset.following = String(following && !ended);
  if (ended) return;
  modeLine.textContent = following ? "Following the instructor: your screen moves with the projector."
    : "Exploring on your own: your moves stay on this screen.";
}

function apply(frame) {
  if (!frame) return;
  if (frame.request && frame.answer) {
    answers.delete(requestKey(frame.request.path, frame.request.body));
    answers.set(requestKey(frame.request.path, frame.request.body), frame.answer);
    if (answers.size > CACHE_SIZE) answers.delete(answers.keys().next().value);
  }
  latest = frame;
  if (following && root.explorer) {
    root.explorer.loadState(toParams(frame.state));
    root.dataset.followedState = JSON.stringify(frame.state);
  }
}

function setFollowing(on) {
  following = on;
  showMode();
  if (root.explorer.showClassRuns) root.explorer.showClassRuns(on);
  if (on) apply(latest);
}

/** The instructor's runs (slots and settings, no ids): followed in the background, shown while following. */
function applyRuns(runs) {
  if (runs && root.explorer.followRuns) root.explorer.followRuns(runs, code);
}

function onMessage(message) {
  switch (message.type) {
    case "welcome":
      showCount(message.followers);
      apply(message.state);
      applyRuns(message.runs);
      showQuestion(message.question);
      break;
    case "state": apply(message); break;
    case "runs": applyRuns(message.runs); break;
    case "count": showCount(message.followers); break;
    case "question": showQuestion(message.question); break;
    case "answered": lockAnswer(message.ask_id, message.value); break;
    case "error": showProblem(message.detail); break;
    case "end": finish(message.reason); break;
    default: break;
  }
}

function onStatus(status, detail) {
  if (status === "connecting" && !latest) modeLine.textContent = "Connecting to the class…";
  else if (status === "open") showMode();
  else if (status === "retrying") modeLine.textContent = `Connection lost; trying again in ${detail} s… (your screen keeps what it shows)`;
  else if (status === "closed") finish(detail);
}

function showCount(n) {
  bar.querySelector('[data-role="follow-count"]').textContent = n === 1 ? "1 screen following" : `${n} screens following`;
}

function showProblem(detail) {
  const problem = card.querySelector('[data-role="answer-problem"]');
  if (problem) problem.textContent = detail;
  else modeLine.textContent = detail;
}

function finish(reason) {
  if (ended) return;
  ended = true;
  following = false;
  routeLiveRequests(null);
  if (socket) socket.close();
  showMode();
  modeLine.textContent = `${reason || "The class has ended."} The explorer is yours now: keep exploring.`;
  document.body.dataset.classEnded = "true";
}

// -- questions -----------------------------------------------------------------------------------

function myAnswer(askId) {
  try {
    const stored = JSON.parse(sessionStorage.getItem(ANSWER_KEY) || "null");
    return stored && stored.ask_id === askId ? stored.value : null;
  } catch {
    return null;
  }
}

function lockAnswer(askId, value) {
  try {
    sessionStorage.setItem(ANSWER_KEY, JSON.stringify({ ask_id: askId, value }));
  } catch {
    // storage blocked: the answer is counted; only a reload would forget it
  }
  if (question && question.ask_id === askId) showQuestion(question);
}

function paragraph(text, className, role) {
  const p = document.createElement("p");
  p.className = className;
  if (role) p.dataset.role = role;
  p.textContent = text;
  return p;
}

function valueInput(q, onPick) {
  const field = document.createElement("div");
  field.className = "field slider-field";
  const id = `answer-${q.ask_id}`;
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = `Your answer: ${q.limits.label}`;
  const range = document.createElement("input");
  Object.assign(range, { type: "range", id, min: "0", max: String(q.limits.positions || 1000), step: "1" });
  range.dataset.scale = q.limits.scale;
  range.dataset.decimals = String(q.limits.decimals);
  range.dataset.role = "answer-slider";
  const number = document.createElement("input");
  Object.assign(number, { type: "number", min: String(q.limits.min), max: String(q.limits.max), step: String(q.limits.step || "any") });
  number.setAttribute("aria-label", `${q.limits.label}, exact value`);
  number.dataset.role = "answer-number";
  field.append(label, range, number);
  const middle = q.limits.scale === "log" ? Math.sqrt(q.limits.min * q.limits.max) : (q.limits.min + q.limits.max) / 2;
  const slider = new LogSlider(range, number, { value: middle, label: `${q.limits.label} `, onChange: () => {} });
  onPick(() => slider.value);
  return field;
}

function choiceInput(q, onPick) {
  const group = document.createElement("div");
  group.className = "class-choices";
  group.setAttribute("role", "radiogroup");
  group.setAttribute("aria-label", "Your answer");
  let picked = null;
  q.options.forEach((text, i) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "chip";
    button.textContent = text;
    button.setAttribute("role", "radio");
    button.setAttribute("aria-checked", "false");
    button.addEventListener("click", () => {
      picked = i;
      group.querySelectorAll("button").forEach((b, j) => b.setAttribute("aria-checked", String(j === i)));
    });
    group.append(button);
  });
  onPick(() => picked);
  return group;
}

function showQuestion(q) {
  question = q;
  card.hidden = !q;
  if (!q) {
    card.replaceChildren();
    return;
  }
  card.dataset.status = q.status;
  const mine = myAnswer(q.ask_id);
  const parts = [paragraph("Question from the instructor", "eyebrow"), paragraph(q.prompt, "class-prompt")];
  if (q.status === "revealed") {
    parts.push(paragraph(`The answer: ${answerText(q, q.answer)}`, "class-answer", "class-answer"));
    parts.push(paragraph(distanceText(q, mine, q.answer), "class-distance", "class-distance"));
    const chart = document.createElement("div");
    drawHistogram(chart, q, q.counts, { answer: q.answer, mine });
    parts.push(paragraph("The room's answers:", "field-help"), chart);
  } else if (mine !== null) {
    const shown = q.kind === "choice" ? answerText(q, mine) : formatValue(mine, q.limits);
    parts.push(paragraph(`Your answer: ${shown}. Waiting for the reveal…`, "class-locked", "class-locked"));
  } else {
    let read = () => null;
    parts.push(q.kind === "choice" ? choiceInput(q, (f) => { read = f; }) : valueInput(q, (f) => { read = f; }));
    const send = document.createElement("button");
    send.type = "button";
    send.className = "button";
    send.textContent = "Lock in my answer";
    send.dataset.role = "answer-send";
    const problem = paragraph("", "field-error", "answer-problem");
    problem.setAttribute("aria-live", "polite");
    send.addEventListener("click", () => {
      const value = read();
      if (value === null) problem.textContent = "Pick an answer first.";
      else if (!socket.send({ type: "answer", ask_id: q.ask_id, value })) problem.textContent = "Not connected right now; try again in a moment.";
    });
    parts.push(send, problem);
  }
  card.replaceChildren(...parts);
}

// -- start -----------------------------------------------------------------------------------------

function start() {
  // A control touched by this learner detaches the page: their moves are theirs. Values the class sets
  // are set by script, which fires no input or click events.
  for (const type of ["input", "click"]) {
    root.addEventListener(type, (event) => {
      if (event.isTrusted && following && !ended && event.target.closest("input, select, textarea, button")) setFollowing(false);
    });
  }
  toggle.addEventListener("click", () => setFollowing(!following));
  if (root.explorer.showClassRuns) root.explorer.showClassRuns(true);
  routeLiveRequests((path, body) => {
    if (!following || ended) return null;
    const answer = answers.get(requestKey(path, body));
    return answer === undefined ? null : Promise.resolve(answer);
  });
  socket = new ClassSocket(code, { type: "follow" }, { onMessage, onStatus });
  socket.connect();
  document.body.dataset.classReady = "true";
}

if (root && root.explorer) start();
else if (root) root.addEventListener("explorer:ready", start, { once: true });
