// Drives Debian's chromium through the console's swap of a provider's bundle (ConsoleIT): on the Engines page,
// updates the fly engine's bundle from an uploaded jar and its signature while a fly pod runs, rolls it back,
// updates it again from a URL and rolls back, and uploads an unsigned jar (refused); installs a vendor's engine
// (INSTALL_JAR and INSTALL_SIGNATURE) from the Install form, then, once INSTALLED_CHECKED exists (the test ran a
// pod on it meanwhile), uninstalls it from its row; reads the Image formats and Security modules pages; a POST
// without the form token gets 403. Prints one "key: value" line per finding;
// exits non-zero with one line on the first failure.
// Environment: CONSOLE_URL, CONSOLE_USER, CONSOLE_PASSWORD, POD_UUID (a running fly pod), UPDATE_JAR and
// UPDATE_SIGNATURE (the fly bundle at a new version, signed), UPDATE_URL (the same jar served over http, its
// signature at UPDATE_URL.asc), UNSIGNED_JAR (a new version without a signature), INSTALL_JAR and
// INSTALL_SIGNATURE (a vendor's engine, signed), INSTALL_BUNDLE (its symbolic name), INSTALLED_CHECKED (a file
// the test makes once it ran a pod on that engine), FETCH_URL (an ACI served slowly over http), SCREENSHOTS.
import { chromium } from 'playwright-core';
import fs from 'node:fs';

const url = process.env.CONSOLE_URL;
const uuid = process.env.POD_UUID;
const shots = process.env.SCREENSHOTS;
const fly = 'org.bosun.stage1.fly';
const launch = {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run',
    '--disable-gpu', '--disable-quic', '--disable-sync'],
};

const browser = await chromium.launch(launch);
try {
  const context = await browser.newContext({ httpCredentials: { username: process.env.CONSOLE_USER, password: process.env.CONSOLE_PASSWORD } });
  const page = await context.newPage();
  const flyRow = page.locator(`#bosun-engine tr[data-bundle="${fly}"]`);
  const flyVersion = async () => (await flyRow.locator('td.version').textContent()).trim();
  const message = async () => {
    const m = page.locator('#bosun-message');
    return ((await m.getAttribute('class')).includes('ui-state-error') ? 'error: ' : '') + (await m.textContent()).trim();
  };
  const submit = async (button) => {
    await Promise.all([page.waitForURL(/message=/, { timeout: 60000 }), button.click()]);
  };
  const podState = async () => {
    await page.goto(url + '/bosun-pods');
    return (await page.locator(`#bosun-pods tr[data-uuid="${uuid}"] td.state`).textContent()).trim();
  };

  const engines = await page.goto(url + '/bosun-engines');
  console.log('engines-page-status: ' + engines.status());
  console.log('fly-version-before: ' + await flyVersion());
  console.log('fly-state-before: ' + (await flyRow.locator('td.state').textContent()).trim());
  await page.screenshot({ path: shots + '/swap-engines.png', fullPage: true });

  // Update from an uploaded jar and its signature, while the fly pod runs
  await page.locator('#bosun-update-jar').setInputFiles(process.env.UPDATE_JAR);
  await page.locator('#bosun-update-signature').setInputFiles(process.env.UPDATE_SIGNATURE);
  await submit(page.locator('#bosun-update'));
  console.log('update-message: ' + await message());
  console.log('fly-version-after-update: ' + await flyVersion());
  console.log('fly-origin-after-update: ' + (await flyRow.locator('td.origin').textContent()).trim());
  await page.screenshot({ path: shots + '/swap-updated.png', fullPage: true });
  console.log('pod-state-after-update: ' + await podState());

  // Roll back to the built-in
  await page.goto(url + '/bosun-engines');
  await submit(page.locator(`[id="bosun-rollback-${fly}"]`));
  console.log('rollback-message: ' + await message());
  console.log('fly-version-after-rollback: ' + await flyVersion());
  console.log('rollback-shown-after-rollback: ' + await page.locator(`[id="bosun-rollback-${fly}"]`).count());
  await page.screenshot({ path: shots + '/swap-rolled-back.png', fullPage: true });

  // Update from a URL (its signature at URL.asc), and back
  await page.locator('#bosun-update-url').fill(process.env.UPDATE_URL);
  await submit(page.locator('#bosun-update'));
  console.log('url-update-message: ' + await message());
  console.log('fly-version-after-url-update: ' + await flyVersion());
  await submit(page.locator(`[id="bosun-rollback-${fly}"]`));
  console.log('url-rollback-message: ' + await message());
  console.log('pod-state-after-swaps: ' + await podState());

  // An unsigned jar: refused with the CLI's message, nothing changed
  await page.goto(url + '/bosun-engines');
  await page.locator('#bosun-update-jar').setInputFiles(process.env.UNSIGNED_JAR);
  await submit(page.locator('#bosun-update'));
  console.log('unsigned-message: ' + await message());
  console.log('fly-version-after-unsigned: ' + await flyVersion());
  await page.screenshot({ path: shots + '/swap-unsigned-refused.png', fullPage: true });

  // A vendor's engine installed from the Install form: its row on the Engines page, with Uninstall
  await page.goto(url + '/bosun-engines');
  await page.locator('#bosun-install-jar').setInputFiles(process.env.INSTALL_JAR);
  await page.locator('#bosun-install-signature').setInputFiles(process.env.INSTALL_SIGNATURE);
  await submit(page.locator('#bosun-install'));
  console.log('install-message: ' + await message());
  const vendorRow = page.locator(`#bosun-engine tr[data-bundle="${process.env.INSTALL_BUNDLE}"]`);
  console.log('installed-row: ' + (await vendorRow.locator('td').allTextContents()).slice(0, 6).map(c => c.trim()).join(' | '));
  console.log('uninstall-shown: ' + await page.locator(`[id="bosun-uninstall-${process.env.INSTALL_BUNDLE}"]`).count());
  console.log('uninstall-shown-for-fly: ' + await page.locator(`[id="bosun-uninstall-${fly}"]`).count());
  await page.screenshot({ path: shots + '/installed-extension.png', fullPage: true });
  // the test runs a pod on the new engine, then says so with this file
  console.log('installed: ready');
  for (let i = 0; i < 600 && !fs.existsSync(process.env.INSTALLED_CHECKED); i++) {
    await new Promise(r => setTimeout(r, 100));
  }
  await page.goto(url + '/bosun-engines');
  await submit(page.locator(`[id="bosun-uninstall-${process.env.INSTALL_BUNDLE}"]`));
  console.log('uninstall-message: ' + await message());
  console.log('row-after-uninstall: ' + await vendorRow.count());
  await page.screenshot({ path: shots + '/uninstalled-extension.png', fullPage: true });

  // A fetch from the Images page: its bar advances while the image downloads, then the image is listed
  await page.goto(url + '/bosun-images');
  await page.locator('#bosun-fetch-image').fill(process.env.FETCH_URL);
  await page.locator('#bosun-fetch-insecure').fill('image,http');
  await submit(page.locator('#bosun-fetch'));
  console.log('fetch-message: ' + await message());
  let partial = null;
  const fetchRow = page.locator('#bosun-fetches tbody tr').first();
  for (let i = 0; i < 600; i++) {
    const bars = page.locator('#bosun-fetches tr[data-state="running"] progress.bosun-fetch-bar');
    for (const b of await bars.all().catch(() => [])) {
      const v = Number(await b.evaluate(e => e.value).catch(() => 0));
      const m = Number(await b.evaluate(e => e.max).catch(() => 0));
      if (partial === null && m > 1 && v > 0 && v < m) {
        partial = v + '/' + m;
        await page.screenshot({ path: shots + '/fetch-progress.png', fullPage: true });
      }
    }
    if ((await fetchRow.getAttribute('data-state').catch(() => 'running')) !== 'running') {
      break;
    }
    await new Promise(r => setTimeout(r, 100));
  }
  console.log('fetch-progress-seen: ' + partial);
  console.log('fetch-row-state: ' + await fetchRow.getAttribute('data-state'));
  const outcome = (await fetchRow.locator('td.outcome').textContent()).trim();
  console.log('fetch-outcome: ' + outcome);
  const fetchedRow = page.locator(`#bosun-images tr[data-id="${outcome.replace(/^fetched /, '')}"]`);
  console.log('fetched-image-listed: ' + await fetchedRow.count());
  console.log('fetched-image-signer: ' + (await fetchedRow.locator('td.signer').textContent()).trim());
  await page.screenshot({ path: shots + '/fetched.png', fullPage: true });

  // The other swap pages: each lists its providers with bundle, version, ABI and state
  for (const [label, table, key] of [['bosun-image-formats', 'image-format', 'image-format'],
    ['bosun-security', 'security-module', 'security-module']]) {
    const r = await page.goto(url + '/' + label);
    console.log(key + '-page-status: ' + r.status());
    for (const row of await page.locator(`#bosun-${table} tbody tr`).all()) {
      const cells = await row.locator('td').allTextContents();
      console.log(key + ': ' + cells.slice(0, 5).map(c => c.trim()).join(' | '));
    }
    console.log(key + '-update-form: ' + await page.locator('#bosun-update-form').count());
    await page.screenshot({ path: shots + '/' + label + '.png', fullPage: true });
  }

  // a swap without the form's token: refused
  const forged = await context.request.post(url + '/bosun-engines', { form: { action: 'rollback', bundle: fly }, maxRedirects: 0 });
  console.log('forged-rollback-status: ' + forged.status());
  await context.close();
} catch (e) {
  console.error('console-swap: ' + String(e.message || e).split('\n')[0]);
  process.exitCode = 1;
} finally {
  await browser.close();
}
