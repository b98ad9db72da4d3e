// Drives Debian's chromium through the bosun web console (ConsoleIT): logs in, finds a pod on the Pods page,
// watches the log lines of another pod's app appear on its page without a reload, reads the Engines page and
// the default network on the Networks page, finds the images on the Images page and removes one in use (refused) and one unused,
// removes a prepared pod from its page, stops the running pod with its Stop button, waits for it to exit and
// collects garbage from the Pods page; a wrong password gets 401, forged POSTs 403. Prints one "key: value"
// line per finding; exits non-zero with one line on the first failure.
// Environment: CONSOLE_URL (http://127.0.0.1:PORT/system/console), CONSOLE_USER, CONSOLE_PASSWORD, POD_UUID
// (a running pod), LOG_POD_UUID (a running pod whose app writes a numbered line a second), PREPARED_UUID (a prepared pod), IMAGE_USED_ID (the pods' image), IMAGE_UNUSED_ID (an image
// no pod uses), SCREENSHOTS (a directory for the pages' screenshots).
import { chromium } from 'playwright-core';

const url = process.env.CONSOLE_URL;
const uuid = process.env.POD_UUID;
const shots = process.env.SCREENSHOTS;
const prepared = process.env.PREPARED_UUID;
const usedImage = process.env.IMAGE_USED_ID;
const unusedImage = process.env.IMAGE_UNUSED_ID;
const logPod = process.env.LOG_POD_UUID;
const launch = {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run',
    '--disable-gpu', '--disable-quic', '--disable-sync'],
};

const browser = await chromium.launch(launch);
try {
  const wrong = await browser.newContext({ httpCredentials: { username: process.env.CONSOLE_USER, password: 'not-' + process.env.CONSOLE_PASSWORD } });
  const denied = await wrong.request.get(url + '/bosun-pods');
  console.log('wrong-password-status: ' + denied.status());
  await wrong.close();

  const context = await browser.newContext({ httpCredentials: { username: process.env.CONSOLE_USER, password: process.env.CONSOLE_PASSWORD } });
  const page = await context.newPage();
  const pods = await page.goto(url + '/bosun-pods');
  console.log('pods-page-status: ' + pods.status());
  const row = page.locator(`#bosun-pods tr[data-uuid="${uuid}"]`);
  await row.waitFor({ timeout: 10000 });
  console.log('pods-page-state: ' + (await row.locator('td.state').textContent()).trim());
  await page.screenshot({ path: shots + '/pods.png', fullPage: true });

  // a pod's page: its app's last log lines, and newer ones appear while the page stays open
  const logPage = await page.goto(url + '/bosun-pods/' + logPod);
  console.log('log-pod-page-status: ' + logPage.status());
  const log = page.locator('#bosun-log-0');
  await log.waitFor({ timeout: 10000 });
  const numbers = async () => [...(await log.textContent()).matchAll(/console-log (\d+) <b>&amp;/g)].map(m => Number(m[1]));
  const first = await numbers();
  console.log('log-pod-app: ' + (await log.getAttribute('data-app')));
  console.log('log-pod-first-lines: ' + (first.length > 0 ? 'yes' : 'no'));
  const logNavigations = [];
  page.on('framenavigated', f => { if (f === page.mainFrame()) logNavigations.push(f.url()); });
  const before = first.length ? Math.max(...first) : -1;
  let now = before;
  for (let i = 0; i < 40 && now < before + 3; i++) {
    await page.waitForTimeout(500);
    const n = await numbers();
    now = n.length ? Math.max(...n) : -1;
  }
  console.log('log-pod-live: ' + (now >= before + 3 ? 'yes' : 'no (' + before + ' then ' + now + ')') + ' after '
    + logNavigations.length + ' navigations');
  console.log('log-pod-markup-in-log: ' + (await log.locator('b').count()));
  for (const row of await page.locator('#bosun-volumes tbody tr').all()) {
    console.log('log-pod-volume: ' + (await row.locator('td').allTextContents()).map(c => c.trim()).join(' | '));
  }
  const podManifest = JSON.parse(await page.locator('#bosun-manifest').textContent());
  console.log('log-pod-manifest: ' + podManifest.acKind + ', ' + podManifest.apps.length + ' apps, volume '
    + podManifest.volumes.map(v => v.name).join(','));
  const logJson = await context.request.get(url + '/bosun-pods/' + logPod + '/log.json');
  console.log('log-json: ' + logJson.status() + ' ' + (/^application\/json/.test(logJson.headers()['content-type']) ? 'json' : logJson.headers()['content-type']) + ' '
    + ((await logJson.json()).apps[0].lines.some(l => /^console-log \d+ <b>&amp;$/.test(l)) ? 'has lines' : 'no lines'));
  const noPod = await context.request.get(url + '/bosun-pods/00000000-0000-4000-8000-000000000000/log.json');
  console.log('log-json-unknown-pod: ' + noPod.status() + ' ' + ((await noPod.json()).error ? 'error' : 'no error'));
  console.log('log-pod-status: ' + (await page.locator('#bosun-logs-status').textContent()).trim().replace(/read at \S+/, 'read at T'));
  await page.screenshot({ path: shots + '/pod-log.png', fullPage: true });

  const networks = await page.goto(url + '/bosun-networks');
  console.log('networks-page-status: ' + networks.status());
  for (const r of await page.locator('#bosun-networks tbody tr').all()) {
    const cells = await r.locator('td').allTextContents();
    console.log('network: ' + cells.join(' | '));
  }
  await page.screenshot({ path: shots + '/networks.png', fullPage: true });

  const engines = await page.goto(url + '/bosun-engines');
  console.log('engines-page-status: ' + engines.status());
  for (const r of await page.locator('#bosun-engine tbody tr').all()) {
    const cells = await r.locator('td').allTextContents();
    console.log('engine: ' + cells[0] + ' ' + cells[4]);
  }
  await page.screenshot({ path: shots + '/engines.png', fullPage: true });

  // Images: both images listed; Remove of the pods' image is refused with the store's error, of the other works
  const images = await page.goto(url + '/bosun-images');
  console.log('images-page-status: ' + images.status());
  const unusedRow = page.locator(`#bosun-images tr[data-id="${unusedImage}"]`);
  const usedRow = page.locator(`#bosun-images tr[data-id="${usedImage}"]`);
  await unusedRow.waitFor({ timeout: 10000 });
  console.log('images-page-unused-name: ' + (await unusedRow.locator('td.name').textContent()).trim());
  console.log('images-page-unused-imported: ' + (await unusedRow.locator('td.imported').textContent()).trim());
  console.log('images-page-used-shown: ' + (await usedRow.count()));
  await page.screenshot({ path: shots + '/images.png', fullPage: true });
  await Promise.all([page.waitForURL(/message=/, { timeout: 60000 }), usedRow.locator('button.bosun-rm').click()]);
  console.log('image-rm-used-message: ' + (await page.locator('#bosun-message.ui-state-error').textContent()).trim());
  await page.screenshot({ path: shots + '/image-in-use.png', fullPage: true });
  // Events, open in a second tab while the image is removed in the first: its row appears without a reload
  const eventsPage = await context.newPage();
  const events = await eventsPage.goto(url + '/bosun-events');
  console.log('events-page-status: ' + events.status());
  const fetched = eventsPage.locator('#bosun-events tr', { hasText: unusedImage }).filter({ has: eventsPage.locator('td.status', { hasText: /^fetched$/ }) });
  await fetched.first().waitFor({ timeout: 15000 });
  console.log('events-page-fetched-details: ' + (await fetched.first().locator('td.details').textContent()).trim());
  const removedEvent = eventsPage.locator('#bosun-events tr', { hasText: unusedImage }).filter({ has: eventsPage.locator('td.status', { hasText: /^removed$/ }) });
  console.log('events-page-removed-before: ' + (await removedEvent.count()));
  const podStarted = eventsPage.locator('#bosun-events tr', { hasText: uuid }).filter({ has: eventsPage.locator('td.status', { hasText: /^started$/ }) });
  console.log('events-page-pod-started: ' + (await podStarted.count() > 0 ? 'yes' : 'no'));

  await page.goto(url + '/bosun-images');
  await Promise.all([page.waitForURL(/message=/, { timeout: 60000 }), unusedRow.locator('button.bosun-rm').click()]);
  const navigations = [];
  eventsPage.on('framenavigated', f => { if (f === eventsPage.mainFrame()) navigations.push(f.url()); });
  await removedEvent.first().waitFor({ timeout: 20000 });
  console.log('events-page-removed-live: ' + (await removedEvent.count()) + ' after ' + navigations.length + ' navigations');
  await eventsPage.screenshot({ path: shots + '/events.png', fullPage: true });
  await eventsPage.close();
  console.log('image-rm-unused-message: ' + (await page.locator('#bosun-message.ui-state-highlight').textContent()).trim());
  console.log('images-page-unused-after-rm: ' + (await unusedRow.count()));
  console.log('images-page-used-after-rm: ' + (await usedRow.count()));
  await page.screenshot({ path: shots + '/image-removed.png', fullPage: true });
  const forgedImage = await context.request.post(url + '/bosun-images', { form: { action: 'rm', id: usedImage }, maxRedirects: 0 });
  console.log('forged-image-post-status: ' + forgedImage.status());

  // a prepared pod: removed from its page, gone from the list
  await page.goto(url + '/bosun-pods/' + prepared);
  console.log('prepared-pod-state: ' + (await page.locator('#bosun-pod tr', { hasText: 'State' }).locator('td').textContent()).trim());
  await Promise.all([page.waitForURL(/message=/, { timeout: 60000 }), page.locator('#bosun-rm').click()]);
  console.log('pod-rm-message: ' + (await page.locator('#bosun-message').textContent()).trim());
  console.log('pods-page-prepared-after-rm: ' + (await page.locator(`#bosun-pods tr[data-uuid="${prepared}"]`).count()));
  await page.screenshot({ path: shots + '/pod-removed.png', fullPage: true });

  await page.goto(url + '/bosun-pods');
  await row.locator('a').click();
  await page.locator('#bosun-pod').waitFor({ timeout: 10000 });
  console.log('fly-pod-logs-status: ' + (await page.locator('#bosun-logs-status').textContent()).trim());
  await page.screenshot({ path: shots + '/pod.png', fullPage: true });
  await Promise.all([page.waitForURL(/message=/, { timeout: 60000 }), page.locator('#bosun-stop').click()]);
  console.log('stop-message: ' + (await page.locator('#bosun-message').textContent()).trim());
  await page.screenshot({ path: shots + '/stopped.png', fullPage: true });
  // the pod's page, reloaded until the pod has exited (the same status call as bosun status)
  const state = page.locator('#bosun-pod tr', { hasText: 'State' }).locator('td');
  for (let i = 0; i < 60 && (await state.textContent()).trim() !== 'exited'; i++) {
    await page.waitForTimeout(500);
    await page.goto(url + '/bosun-pods/' + uuid);
  }
  console.log('pod-state-after-stop: ' + (await state.textContent()).trim());
  console.log('pod-rm-shown-after-stop: ' + (await page.locator('#bosun-rm').count()));
  await page.goto(url + '/bosun-pods');
  await Promise.all([page.waitForURL(/message=/, { timeout: 60000 }), page.locator('#bosun-gc').click()]);
  console.log('gc-message: ' + (await page.locator('#bosun-message').textContent()).trim());
  console.log('pods-page-state-after-gc: ' + (await row.locator('td.state').textContent()).trim());
  await page.screenshot({ path: shots + '/gc.png', fullPage: true });

  // the same form without its token: refused (the console's guard against cross-site requests)
  const forged = await context.request.post(url + '/bosun-pods/' + uuid, { form: { action: 'stop' }, maxRedirects: 0 });
  console.log('forged-post-status: ' + forged.status());
  await context.close();
} catch (e) {
  console.error('console-test: ' + String(e.message || e).split('\n')[0]);
  process.exitCode = 1;
} finally {
  await browser.close();
}
