/** Debian's chromium: playwright-core drives it, nothing is downloaded. */
export const CHROMIUM = process.env.RULEPACK_CHROMIUM ?? "/usr/bin/chromium";

/**
 * The sheet's HTML printed to PDF by headless Chromium (A4, backgrounds kept
 * for the highlighted cells). playwright-core is loaded here, on first use,
 * so no other command pays for importing it.
 */
export async function renderPdf(html: string): Promise<Uint8Array> {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: CHROMIUM });
  try {
    const page = await browser.newPage();
    await page.setContent(html, { waitUntil: "load" });
    return await page.pdf({ format: "A4", printBackground: true, preferCSSPageSize: true });
  } finally {
    await browser.close();
  }
}
