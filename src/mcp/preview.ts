/**
 * The answer of a destructive tool called without a confirmation token: what would change, and
 * the token (confirm.ts) that makes the same call do it. Nothing is changed to make it.
 */
import type { ToolAnswer, ToolContext } from './tools.js';

/** The call's arguments without its token: what a token is bound to. */
export function withoutToken(args: Record<string, unknown>): Record<string, unknown> {
  const { confirmationToken: _token, ...call } = args;
  return call;
}

/** Nothing sent: what would change, and the token that makes the same call do it. */
export function previewAnswer(
  tool: string,
  args: Record<string, unknown>,
  tc: ToolContext,
  preview: object,
): ToolAnswer {
  const { token, expiresAt } = tc.tokens.issue(tool, withoutToken(args));
  return {
    structured: {
      confirmationRequired: true,
      preview,
      confirmationToken: token,
      expiresAt,
      nextStep:
        `Nothing was changed. Show this preview to the user; if they agree, call ${tool} again with the same ` +
        'arguments and this confirmationToken (valid once, for 5 minutes).',
    },
  };
}
