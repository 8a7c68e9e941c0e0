// Builds the platform's front-end static files from the installed npm packages (see ADR 0006):
//   build/static/vendor/krds/            KRDS CSS (only the components krds.scss imports), the images it uses, licence
//   build/static/vendor/pretendard-gov/  Pretendard GOV variable font in 120 unicode-range slices, licence
// Run by `make install` after `npm ci`; Django's staticfiles serves build/static/ from then on.
import { compile } from "sass";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const out = join(here, "..", "build", "static", "vendor");
const pkg = (name) => JSON.parse(readFileSync(join(modules, name, "package.json"), "utf8"));

rmSync(out, { recursive: true, force: true });

// KRDS: compile, then copy only the images the compiled CSS refers to.
const krdsOut = join(out, "krds");
mkdirSync(krdsOut, { recursive: true });
const krdsRoot = join(modules, "krds-uiux", "resources");
const { css } = compile(join(here, "krds.scss"), {
  loadPaths: [modules],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import", "global-builtin", "color-functions", "slash-div", "mixed-decls", "legacy-js-api"],
  logger: { warn() {}, debug() {} },
});
writeFileSync(join(krdsOut, "krds.css"), css);
const images = new Set([...css.matchAll(/url\(["']?\.\/(img\/[^"')?#]+)/g)].map((m) => m[1]));
for (const image of images) {
  const source = join(krdsRoot, image);
  if (!existsSync(source)) throw new Error(`krds.css refers to ${image}, which krds-uiux does not ship`);
  mkdirSync(dirname(join(krdsOut, image)), { recursive: true });
  cpSync(source, join(krdsOut, image));
}
const krds = pkg("krds-uiux");
writeFileSync(
  join(krdsOut, "LICENSE.txt"),
  `KRDS (Korea Responsive Design System) HTML component kit, npm package ${krds.name} ${krds.version}.\n` +
    `Licence: ${krds.license} (the package's licence field); terms of use: https://www.krds.go.kr/html/site/utility/utility_06.html\n`,
);

// Pretendard GOV: the variable font's dynamic subset (a page fetches only the slices its text needs).
const fontOut = join(out, "pretendard-gov");
const fontRoot = join(modules, "pretendard-gov", "dist", "web", "variable");
mkdirSync(fontOut, { recursive: true });
cpSync(join(fontRoot, "woff2-dynamic-subset"), join(fontOut, "woff2-dynamic-subset"), { recursive: true });
cpSync(join(fontRoot, "pretendardvariable-gov-dynamic-subset.css"), join(fontOut, "pretendard-gov.css"));
cpSync(join(modules, "pretendard-gov", "dist", "LICENSE.txt"), join(fontOut, "LICENSE.txt"));

console.log(`built ${out}: krds.css ${(css.length / 1024).toFixed(0)} KB, ${images.size} images; Pretendard GOV ${pkg("pretendard-gov").version}`);
