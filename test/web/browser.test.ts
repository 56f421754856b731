import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM } from "../../engine/scope/render-pdf.js";
import { ACME_PLAN, adt } from "../queue/harbor-queue.js";
import { makeWorld, PEOPLE, passwordOf, type World } from "./world.js";

/**
 * The queue in a real browser (Debian's chromium driven by playwright-core,
 * nothing downloaded): every role signs in and lands where its permissions
 * lead; a person with Map Insurance Messages fixes an unmapped plan from
 * the list to PROCESSED; a REVIEW_REQUIRED message is decided beside its
 * candidate; a file is uploaded. Each page is saved as a screenshot under
 * test-artifacts/web/.
 */

const ARTIFACTS = join("test-artifacts", "web");
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let world: World;
let context: BrowserContext;
let base: string;
const profile = mkdtempSync(join(tmpdir(), "rulepack-chromium-"));

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  world = await makeWorld({ review: true });
  await world.app.listen({ port: 0, host: "127.0.0.1" });
  const address = world.app.server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1366, height: 900 },
  });
}, 60_000);

afterAll(async () => {
  await context?.close();
  await world?.close();
  rmSync(profile, { recursive: true, force: true });
});

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Sign in through the form with the keyboard only: type, Tab, type, Enter. */
async function signIn(name: string): Promise<Page> {
  await context.clearCookies();
  const page = await context.newPage();
  await page.goto(`${base}/`);
  expect(new URL(page.url()).pathname).toBe("/sign-in");
  await page.getByLabel("Name").fill(name);
  await page.keyboard.press("Tab");
  await page.keyboard.type(passwordOf(name));
  await page.keyboard.press("Enter");
  await page.waitForURL((url) => url.pathname !== "/sign-in");
  await page.waitForLoadState("load");
  return page;
}

describe("signing in as each role", () => {
  const landing: Readonly<Record<string, string>> = {
    viewer: "Message queue",
    insurer: "Message queue",
    mapper: "Message queue",
    uploader: "Upload HL7 messages",
    admin: "Signed in",
    nobody: "Signed in",
    everything: "Message queue",
  };
  for (const name of Object.keys(PEOPLE)) {
    it(`${name} lands on '${landing[name]}' and sees only the pages its roles open`, async () => {
      const page = await signIn(name);
      await expect.poll(() => page.locator("h1").textContent()).toBe(landing[name]);
      const nav = await page
        .getByRole("navigation", { name: "Main" })
        .getByRole("link")
        .allTextContents();
      const roles = PEOPLE[name] ?? [];
      expect(nav).toEqual([
        ...(roles.includes("view") ? ["Queue", "Status"] : []),
        ...(roles.includes("file-upload") ? ["Upload"] : []),
      ]);
      await shot(page, `sign-in-${name}`);
      if (!roles.includes("view")) {
        const refused = await page.goto(`${base}/messages`);
        expect(refused?.status()).toBe(403);
        expect(await page.getByRole("alert").textContent()).toBe(
          `${name} may not open this page: it needs the view permission.`,
        );
      }
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL(`${base}/sign-in`);
      await page.close();
    });
  }

  it("a wrong password is said on the sign-in page", async () => {
    await context.clearCookies();
    const page = await context.newPage();
    await page.goto(`${base}/sign-in`);
    await page.getByLabel("Name").fill("viewer");
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect
      .poll(() => page.getByRole("alert").textContent())
      .toBe("The name or the password is wrong.");
    await shot(page, "sign-in-failed");
    await page.close();
  });
});

describe("fixing an unmapped insurance plan in the browser", () => {
  it("list → message → map the plan → reprocess the waiting messages → PROCESSED", async () => {
    const page = await signIn("insurer");
    await expect.poll(() => page.locator("h1").textContent()).toBe("Message queue");
    await page.getByLabel("State", { exact: true }).selectOption("ERROR");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/state=ERROR/);
    await shot(page, "queue-list");
    await page.getByRole("link", { name: world.ids.insurance }).click();
    await page.waitForURL(`${base}/messages/${world.ids.insurance}`);
    // The erroring field is marked in the raw message, every field named on hover.
    const marked = page.locator(".raw .error-field");
    expect(await marked.evaluateAll((els) => els.map((e) => e.getAttribute("data-field")))).toEqual(
      ["IN1.2", "IN1.4", "IN1.5"],
    );
    expect(await marked.first().getAttribute("title")).toMatch(/^IN1-2: .+ \(error\)$/);
    expect(await page.locator('.raw [data-field="PID.7"]').getAttribute("title")).toContain(
      "PID-7: ",
    );
    await shot(page, "message-unmapped");
    await page
      .getByLabel(`Practice code for ${ACME_PLAN}`)
      .selectOption({ label: "4471 Harbor Mutual PPO" });
    await page.getByRole("button", { name: "Map this code" }).click();
    const run = page.getByRole("button", { name: "Reprocess the 1 waiting message" });
    await run.waitFor();
    expect(await page.locator("#reprocess-list li").allTextContents()).toEqual([
      expect.stringContaining(`${world.ids.insurance} ADT^A04 INS-1 (ERROR`),
    ]);
    await shot(page, "message-mapped-preview");
    await run.click();
    await expect
      .poll(() => page.locator("#reprocess-result").textContent())
      .toBe(`${world.ids.insurance} ERROR → PROCESSED`);
    await page.getByRole("link", { name: "See this message now" }).click();
    await expect.poll(() => page.locator("dd .state").first().textContent()).toBe("PROCESSED");
    await shot(page, "message-processed");
    expect((await world.store.message(world.ids.insurance))?.state).toBe("PROCESSED");
    expect((await world.store.attempts(world.ids.insurance)).at(-1)?.actor).toBe("insurer");
    await page.close();
  });

  it("a person without map-insurance is not offered the fix", async () => {
    const page = await signIn("mapper");
    await page.goto(`${base}/messages/${world.ids.insurance}`);
    expect(await page.getByRole("button", { name: "Map this code" }).count()).toBe(0);
    await page.close();
  });
});

describe("reviewing a REVIEW_REQUIRED message", () => {
  it("the candidate beside the message; merging processes it", async () => {
    const id = world.ids.review as string;
    const page = await signIn("mapper");
    await page.goto(`${base}/messages/${id}`);
    await expect.poll(() => page.locator("h2").first().textContent()).toBe("Errors");
    const table = page.getByRole("table", { name: "The message beside each candidate" });
    const headers = await table.locator("thead th").allTextContents();
    expect(headers[1]).toBe("This message");
    expect(headers[2]).toMatch(/^Patient \d+ \(score /);
    const dobRow = await table
      .locator("tr", { has: page.locator('th:text-is("dob")') })
      .locator("td")
      .allTextContents();
    expect(dobRow.length).toBe(2);
    await shot(page, "review");
    const merge = page.getByRole("button", { name: /^Same patient: merge with / });
    await merge.click();
    await expect
      .poll(() => page.locator("form[data-api$='/review'] [data-result]").textContent())
      .toBe(`${id} ERROR → PROCESSED`);
    expect((await world.store.message(id))?.state).toBe("PROCESSED");
    expect((await world.store.attempts(id)).at(-1)).toMatchObject({
      kind: "review",
      actor: "mapper",
    });
    await page.close();
  });
});

describe("uploading a file", () => {
  it("each message of the file is processed and listed with its state", async () => {
    const file = join(profile, "two-patients.hl7");
    writeFileSync(
      file,
      adt({ control: "UP-A", mrn: "3101", name: "Ito^Ken" }) +
        adt({ control: "UP-B", mrn: "3102", name: "Ruiz^Eva" }),
    );
    const page = await signIn("uploader");
    await page.getByLabel("File of HL7 messages").setInputFiles(file);
    await page.getByRole("button", { name: "Upload and process" }).click();
    await expect.poll(() => page.locator("#upload-result").textContent()).toBe("2 PROCESSED");
    expect(await page.locator("#upload-outcomes tbody tr").count()).toBe(2);
    await shot(page, "upload");
    await page.close();
  });

  it("the status page names the sender, its last message and errors waiting", async () => {
    const page = await signIn("viewer");
    await page.goto(`${base}/status`);
    const row = await page.locator("table tbody tr").first().locator("td").allTextContents();
    expect(row[0]).toBe("ORTHOCHART^HARBOR");
    await shot(page, "status");
    await page.close();
  });
});
