// Drives Debian's chromium through the bosun web console (ConsoleIT): logs in, finds a pod on the Pods page,
// reads the Engines page, stops the pod with its Stop button; a wrong password gets 401. Prints one
// "key: value" line per finding; exits non-zero with one line on the first failure.
// Environment: CONSOLE_URL (http://127.0.0.1:PORT/system/console), CONSOLE_USER, CONSOLE_PASSWORD, POD_UUID,
// SCREENSHOTS (a directory for the pages' screenshots).
import { chromium } from 'playwright-core';

const url = process.env.CONSOLE_URL;
const uuid = process.env.POD_UUID;
const shots = process.env.SCREENSHOTS;
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

  const engines = await page.goto(url + '/bosun-engines');
  console.log('engines-page-status: ' + engines.status());
  for (const r of await page.locator('#bosun-engine tbody tr').all()) {
    const cells = await r.locator('td').allTextContents();
    console.log('engine: ' + cells[0] + ' ' + cells[4]);
  }
  await page.screenshot({ path: shots + '/engines.png', fullPage: true });

  await page.goto(url + '/bosun-pods');
  await row.locator('a').click();
  await page.locator('#bosun-pod').waitFor({ timeout: 10000 });
  await page.screenshot({ path: shots + '/pod.png', fullPage: true });
  await Promise.all([page.waitForURL(/message=/, { timeout: 60000 }), page.locator('#bosun-stop').click()]);
  console.log('stop-message: ' + (await page.locator('#bosun-message').textContent()).trim());
  await page.screenshot({ path: shots + '/stopped.png', fullPage: true });

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
