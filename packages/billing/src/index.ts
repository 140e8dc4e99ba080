export { ensureOperator, DEFAULT_OPERATOR_EMAIL } from "./operator.ts";
