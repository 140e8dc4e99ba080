export { compileGlob, globProblem, matchesGlob, GlobSyntaxError } from "./glob.ts";
export { compileSelection, relativeKey, type ObjectSelection, type SelectableObject, type CompiledSelection } from "./selection.ts";
