// Drives the receiver's dashboard in headless Chromium (Debian's, through playwright-core):
// signs in through the form, visits the worklist, a group's tab and a connection's page,
// signs out; collects console messages, page errors, failed and refused requests; reads the
// counts and the diagram's marks from the DOM; takes a full-page screenshot of each page.
//
//   node dashboard-check.mjs BASE_URL TOKEN OUT_DIR CONNECTION_ID [OTHER_ID...]
//
// CONNECTION_ID is the connection whose page is checked (reached by its link on the end
// user's tab); each OTHER_ID's page is visited too, for its console and its screenshot.
// BASE_URL is the receiver (loopback). Prints one JSON report on stdout; receiver/tests/
// browser/main.rs runs it and asserts on the report. Any request not to BASE_URL is refused
// and reported: the dashboard must fetch nothing from the network.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [base, token, outDir, connectionId, ...others] = process.argv.slice(2);
if (!base || !token || !outDir || !connectionId) {
  console.error('usage: node dashboard-check.mjs BASE_URL TOKEN OUT_DIR CONNECTION_ID');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });
const TIMEOUT = 15_000;

const report = {
  pages: [],
  console: [],
  pageErrors: [],
  failedRequests: [],
  refusedRequests: [],
  dialogs: [],
  counts: null,
  group: null,
  connection: null,
  cookie: null,
  signIn: null,
  signOut: null,
  tokenInUrl: false,
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--no-proxy-server',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  timeout: TIMEOUT,
});
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  context.setDefaultTimeout(TIMEOUT);
  // Only the receiver: anything else is refused and reported.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(base)) {
      return route.continue();
    }
    report.refusedRequests.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  let current = 'start';
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') {
      report.console.push({ page: current, type: msg.type(), text: msg.text() });
    }
  });
  page.on('pageerror', (err) => report.pageErrors.push({ page: current, text: String(err) }));
  page.on('requestfailed', (req) => {
    if (req.url().startsWith(base)) {
      report.failedRequests.push({ page: current, url: req.url(), error: req.failure()?.errorText });
    }
  });
  page.on('dialog', async (dialog) => {
    report.dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame() && frame.url().includes(token)) {
      report.tokenInUrl = true;
    }
  });

  const visit = async (name, path) => {
    current = name;
    // Until the network is idle: the icon too is loaded before the next step.
    return page.goto(base + path, { waitUntil: 'networkidle' });
  };
  const shoot = async (name) => {
    await page.waitForLoadState('networkidle');
    const file = join(outDir, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    const title = await page.title();
    report.pages.push({ name, url: page.url(), title, screenshot: file });
  };

  // Without a session: to the sign-in form.
  await visit('login', '/');
  report.signIn = { redirectedTo: new URL(page.url()).pathname };
  await shoot('login');

  // Sign in through the form.
  current = 'sign-in';
  await page.fill('#token', token);
  await Promise.all([page.waitForURL(`${base}/`), page.click('button[type="submit"]')]);
  report.signIn.landedOn = new URL(page.url()).pathname;
  const cookies = await context.cookies(base);
  const session = cookies.find((c) => c.name === 'nectar_session');
  report.cookie = session
    ? { httpOnly: session.httpOnly, sameSite: session.sameSite, path: session.path,
        secure: session.secure, holdsToken: session.value.includes(token),
        readableByScript: await page.evaluate(() => document.cookie.includes('nectar_session')) }
    : null;

  // The worklist.
  current = 'worklist';
  await shoot('worklist');
  report.counts = await page.evaluate(() => {
    const number = (el) => Number(el.textContent.trim());
    const byNeeds = {};
    for (const el of document.querySelectorAll('[data-count-needs]')) {
      byNeeds[el.dataset.countNeeds] = number(el);
    }
    const byStatus = {};
    for (const el of document.querySelectorAll('[data-count-status]')) {
      byStatus[el.dataset.countStatus] = number(el);
    }
    const total = document.querySelector('[data-count-total]');
    return {
      total: total ? number(total) : null,
      byNeeds,
      byStatus,
      rows: document.querySelectorAll('table.worklist tbody tr').length,
      pwned: window.__pwned === true,
      text: document.body.innerText,
    };
  });
  const shownText = report.counts.text;
  delete report.counts.text;
  report.counts.providerShownAsText = shownText.includes('<script>');

  // A group's tab, reached by its link.
  current = 'group';
  await Promise.all([page.waitForURL(/needs=end_user/), page.click('nav.groups a[href="/?needs=end_user"]')]);
  await shoot('group-end-user');
  report.group = await page.evaluate(() => ({
    url: location.pathname + location.search,
    current: document.querySelector('nav.groups a[aria-current="page"]')?.getAttribute('href'),
    ids: [...document.querySelectorAll('table.worklist tbody tr')].map((tr) => tr.dataset.id),
    invitationLinks: [...document.querySelectorAll('table.worklist a[target="_blank"]')].map((a) => a.href),
  }));

  // A connection's page, reached by its link.
  current = 'connection';
  const link = page.locator(`table.worklist a[href="/connection/${encodeURIComponent(connectionId)}"]`);
  await Promise.all([page.waitForURL(/\/connection\//), link.click()]);
  await shoot('connection');
  report.connection = await page.evaluate((id) => {
    const svg = document.querySelector('svg#diagram-connection-operational');
    const currentNode = svg?.querySelector('g.status.current');
    const box = currentNode?.querySelector('rect.box');
    return {
      id,
      heading: document.querySelector('h1')?.textContent,
      diagram: Boolean(svg),
      currentStatus: currentNode?.dataset.status ?? null,
      currentClasses: currentNode ? [...currentNode.classList] : [],
      // What the highlight looks like once styled: the page's CSS applied to the SVG.
      currentStroke: box ? getComputedStyle(box).stroke : null,
      currentStrokeWidth: box ? getComputedStyle(box).strokeWidth : null,
      takenEdges: svg ? [...svg.querySelectorAll('g.edge.taken')].map((g) => g.id) : [],
      historyRows: document.querySelectorAll('table.history tbody tr').length,
    };
  }, connectionId);

  for (const id of others) {
    await visit(`connection-${id}`, `/connection/${encodeURIComponent(id)}`);
    await shoot(`connection-${id}`);
  }

  // Sign out: back to the form, and the pages are closed again.
  current = 'sign-out';
  await Promise.all([page.waitForURL(/\/login$/), page.click('form.signout button')]);
  await page.waitForLoadState('networkidle');
  await visit('after-sign-out', '/');
  report.signOut = {
    redirectedTo: new URL(page.url()).pathname,
    cookieLeft: (await context.cookies(base)).some((c) => c.name === 'nectar_session'),
  };
} catch (err) {
  report.fatal = String(err?.stack ?? err);
} finally {
  await browser.close();
}
console.log(JSON.stringify(report, null, 2));
