/**
 * A package's `build` (`node ../../scripts/build-package.mjs`, run from the package's folder): tsdown
 * with the package's `tsdown.config.ts`, through tsdown's `build()` rather than its command line.
 *
 * The command line of tsdown 0.21 warns on every run that its next minor drops Node 20; the version
 * is pinned for that reason (docs/releasing.md), so the warning says nothing new. The API does the
 * same build without it. tsdown is resolved from the package (each package has its own, with
 * TypeScript 6 for the declarations).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const fromPackage = createRequire(join(process.cwd(), 'package.json'));
const { build } = await import(pathToFileURL(fromPackage.resolve('tsdown')).href);
await build({});
