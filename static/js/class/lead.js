// "Start a class" on a demo page: the instructor's side of a class session.
//
// One button makes a class (POST /api/classes) and shows the join code, address, QR code and count, big
// enough for the back of the room. The explorer's requests then go through the class socket: the server
// computes each once, answers this page at once and sends the same answer to every follower. The
// class's secret (`control`) lives in this tab's sessionStorage only, so reloading the page keeps the
// class, and it is sent only inside the socket's first message. An explorer with live runs (the lab) also
// names the runs on its charts; the server relays them to the followers without their ids.
import { requestJSON } from "../lib/api.js";
import { CHANGE_EVENT, RUNS_EVENT } from "../lib/explorer.js";
import { LOOK_EVENT } from "../lib/theme.js";
import { liveJSON, routeLiveRequests } from "../lib/live.js";
import { answerText, drawHistogram } from "./question-view.js";
import { ClassSocket } from "./socket.js";

const STORE_KEY = "brewslm-class:lead";
const FREE = "free";
const GONE = 4404;   // the class no longer exists: it ended elsewhere or went idle while this tab was away
const panel = document.querySelector('[data-role="class-panel"]');
const setup = JSON.parse(panel.querySelector('[data-role="class-setup"]').textContent);
const startButton = document.querySelector('[data-class-action="start"]');
const el = (role) => panel.querySelector(`[data-role="${role}"]`);
const action = (name) => panel.querySelector(`[data-class-action="${name}"]`);

let explorer = null;
let session = null;       // { code, control, display_code, join_url, qr_url, reachable, address_note }
let socket = null;
let lastSent = "";        // the last state sent, so a move and its change event go out once
let lastRuns = "";        // the last runs named to the class
let asked = null;         // the question on screen (with its counts)
// A drag drawn from a slider table changes the state at the input's rate (60–120 a second), and only the
// state goes to the room: sent at most 30 times a second, within the server's message rate for an
// instructor (BREWSLM_CLASS_LEAD_RATE, 60 a second; breaking it closes the socket).
const STATE_EVERY_MS = 1000 / 30;
let stateTimer = null;
let lastStateAt = -Infinity;

/**
 * The panel takes room from the charts: they are resized (responsive Plotly charts follow the window),
 * and take the stage's type again (demo.css sets the lab's smaller beside a docked panel).
 */
function showPanel(on) {
  panel.hidden = !on;
  roomChanged();
}

function roomChanged() {
  window.dispatchEvent(new Event("resize"));
  document.dispatchEvent(new CustomEvent(LOOK_EVENT));
}

function say(message) {
  el("class-status").textContent = message;
}

function remembered() {
  try {
    const stored = JSON.parse(sessionStorage.getItem(STORE_KEY) || "null");
    return stored && stored.widget === setup.widget && typeof stored.control === "string" ? stored : null;
  } catch {
    return null;
  }
}

function remember(value) {
  try {
    if (value) sessionStorage.setItem(STORE_KEY, JSON.stringify(value));
    else sessionStorage.removeItem(STORE_KEY);
  } catch {
    // storage blocked: the class still runs; a reload will not find it again
  }
}

async function startClass() {
  startButton.disabled = true;
  say("Starting a class…");
  try {
    const created = await requestJSON("/api/classes", {
      method: "POST", body: JSON.stringify({ widget: setup.widget, state: explorer.queryState() }),
    });
    session = { ...created, widget: setup.widget };
    remember(session);
    lead();
  } catch (err) {
    startButton.disabled = false;
    showPanel(true);
    say(`Could not start a class: ${err.message}`);
  }
}

/** Show the class and lead it over its socket (a new class, or the one this tab led before a reload). */
function lead() {
  showPanel(true);
  startButton.hidden = true;
  const address = new URL(session.join_url);
  el("class-address").textContent = `${address.host}/join`;
  el("class-code").textContent = session.display_code;
  const qr = el("class-qr");
  qr.src = session.qr_url;
  qr.alt = `QR code of the join link ${session.join_url}`;
  qr.hidden = false;
  const warning = el("class-unreachable");
  warning.hidden = session.reachable;
  warning.textContent = session.reachable ? "" : `The join link works on this computer only: ${session.address_note}.`;
  socket = new ClassSocket(session.code, { type: "lead", control: session.control }, { onMessage, onStatus });
  socket.connect();
  routeLiveRequests((path, body) => {
    if (!socket || !socket.open) return null;
    const state = explorer.queryState();
    lastSent = JSON.stringify(state);
    return socket.request({ type: "move", state, path, body }, () => liveJSON(path, body));
  });
}

/** Send the explorer's state to the room, at most STATE_EVERY_MS apart (the last state always goes). */
function sendStateSoon() {
  if (stateTimer) return;
  const wait = Math.max(0, lastStateAt + STATE_EVERY_MS - performance.now());
  stateTimer = setTimeout(() => {
    stateTimer = null;
    if (!socket || !socket.open) return;
    const state = explorer.queryState();
    const text = JSON.stringify(state);
    if (text !== lastSent && socket.send({ type: "state", state })) {
      lastSent = text;
      lastStateAt = performance.now();
    }
  }, wait);
}

function onStatus(status, detail, code) {
  if (status === "open") say("");
  else if (status === "retrying") say(`Connection to the class lost; trying again in ${detail} s…`);
  else if (status === "closed") finish(code === GONE ? "Your class has ended: it was ended elsewhere, or idle too long." : detail);
}

function onMessage(message) {
  switch (message.type) {
    case "welcome":
      showCount(message.followers);
      showQuestion(message.question);
      // After a reload, the lab follows again the runs the class still shows, before it names its own.
      if (message.runs && explorer.adoptRuns) explorer.adoptRuns(message.runs);
      lastSent = "";
      lastRuns = "";
      explorer.update();          // the room catches up with this page, whatever happened while away
      break;
    case "count": showCount(message.followers); break;
    case "question": showQuestion(message.question); break;
    case "counts":
      if (asked && asked.ask_id === message.ask_id) showQuestion({ ...asked, counts: message.counts });
      break;
    case "error": say(message.detail); break;
    case "end": finish(message.reason); break;
    default: break;
  }
}

function showCount(n) {
  el("class-count").textContent = n === 0 ? "No one has joined yet." : n === 1 ? "1 screen following" : `${n} screens following`;
  el("class-count").dataset.count = String(n);
}

function showQuestion(question) {
  asked = question;
  const view = el("class-question-view");
  action("reveal").disabled = !question || question.status !== "open";
  action("close-question").disabled = !question;
  if (!question) {
    view.hidden = true;
    view.replaceChildren();
    return;
  }
  view.hidden = false;
  view.dataset.status = question.status;
  const prompt = document.createElement("p");
  prompt.className = "class-prompt";
  prompt.textContent = question.prompt;
  const counts = question.counts || new Array(question.bins).fill(0);
  const chart = document.createElement("div");
  drawHistogram(chart, question, counts, question.status === "revealed" ? { answer: question.answer } : {});
  const children = [prompt, chart];
  if (question.status === "revealed") {
    const answer = document.createElement("p");
    answer.className = "class-answer";
    answer.dataset.role = "class-answer";
    answer.textContent = `Answer: ${answerText(question, question.answer)}`;
    children.push(answer);
  }
  view.replaceChildren(...children);
}

function ask() {
  const choice = el("class-question").value;
  const message = choice === FREE
    ? { type: "ask", prompt: el("class-prompt").value, param: el("class-param").value }
    : { type: "ask", question: choice };
  if (!socket || !socket.send(message)) say("Not connected to the class right now; try again in a moment.");
}

function send(type) {
  if (!socket || !socket.send({ type })) say("Not connected to the class right now; try again in a moment.");
}

let endArmed = null;
function endClass() {
  // Two presses, so a stray click does not send forty people away.
  if (!endArmed) {
    action("end").textContent = "Press again to end it for everyone";
    endArmed = setTimeout(() => { endArmed = null; action("end").textContent = "End the class"; }, 4000);
    return;
  }
  clearTimeout(endArmed);
  endArmed = null;
  send("end");
}

/** The class is over (ended here, elsewhere, or expired): forget it and offer a new one. */
function finish(reason) {
  routeLiveRequests(null);
  if (socket) socket.close();
  socket = null;
  session = null;
  remember(null);
  showQuestion(null);
  el("class-code").textContent = "";
  el("class-qr").hidden = true;
  action("end").textContent = "End the class";
  startButton.hidden = false;
  startButton.disabled = false;
  say(reason || "The class has ended.");
}

/** Name this page's live runs to the class (an explorer with runs: the lab). */
function sendRuns() {
  if (!socket || !socket.open || !explorer.classRuns) return;
  const runs = explorer.classRuns();
  const text = JSON.stringify(runs);
  if (text !== lastRuns && socket.send({ type: "runs", runs })) lastRuns = text;
}

function fillQuestionChoices() {
  // An explorer with nothing to ask about (no question, no slider: the lab) shows no "Ask the class".
  el("class-ask").hidden = !setup.questions.length && !setup.sliders.length;
  const select = el("class-question");
  const options = setup.questions.map((q) => new Option(q.prompt, q.id));
  options.push(new Option("Your own question…", FREE));
  select.replaceChildren(...options);
  el("class-param").replaceChildren(...setup.sliders.map((s) => new Option(s.label, s.param)));
  const showFree = () => { el("class-free").hidden = select.value !== FREE; };
  select.addEventListener("change", showFree);
  showFree();
}

function hideOrShow() {
  const hide = action("hide");
  const compact = panel.classList.toggle("is-compact");
  roomChanged();
  hide.textContent = compact ? "Full panel" : "Shrink panel";
  hide.setAttribute("aria-expanded", String(!compact));
}

function ready(root) {
  explorer = root.explorer;
  fillQuestionChoices();
  startButton.addEventListener("click", startClass);
  action("ask").addEventListener("click", ask);
  action("reveal").addEventListener("click", () => send("reveal"));
  action("close-question").addEventListener("click", () => send("close-question"));
  action("end").addEventListener("click", endClass);
  action("hide").addEventListener("click", hideOrShow);
  root.addEventListener(RUNS_EVENT, sendRuns);
  root.addEventListener(CHANGE_EVENT, sendStateSoon);
  session = remembered();
  if (session) lead();
  document.body.dataset.classReady = "true";
}

const root = document.querySelector("[data-demo-widget] [data-widget]");
if (root && root.explorer) ready(root);
else if (root) root.addEventListener("explorer:ready", () => ready(root), { once: true });
