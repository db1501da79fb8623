/**
 * The views: one panel per file, each with a data-testid. Views read model objects and
 * subscribe to topics (model/frame.ts), so each re-renders at most once per animation frame.
 * Public panels render without a login; trading panels appear after it.
 */
export { App } from './app';
