/**
 * Block actions: a user clicks a button or picks an option the bot rendered, in a message, an
 * ephemeral or a view. Each step finds the element in the stand-in's current copy, mints the
 * trigger id (and, for messages, the response URL) Slack would, and sends the payload.
 */
import { buildStateValues, type FoundElement, type InputValues, type SlackBlock } from '../blocks.ts';
import { currentView, type DriverContext } from './context.ts';
import { pickElement } from './elements.ts';
import { messageActionPayload, viewActionPayload, type MessageLocation } from './payloads.ts';
import { overridesOf, sendPayload } from './sending.ts';
import type {
  ActionSource,
  BlockActionOptions,
  ClickButtonInViewOptions,
  ClickButtonOptions,
  InteractionResult,
  SelectInViewOptions,
} from './types.ts';

export async function blockAction(ctx: DriverContext, opts: BlockActionOptions): Promise<InteractionResult> {
  const source = actionSourceOf(opts);
  const blocks = blocksOf(source);
  const found: FoundElement = opts.element
    ? {
        block: blocks.find((b) => b.block_id === opts.blockId) ?? { type: 'actions', block_id: opts.blockId ?? '' },
        blockId: opts.blockId ?? '',
        element: opts.element,
        actionId: opts.actionId,
      }
    : pickElement(blocks, { actionId: opts.actionId, blockId: opts.blockId }, 'blockAction');
  const triggerId = ctx.standIn.newTriggerId(opts.user);
  const payload =
    source.kind === 'view'
      ? viewActionPayload(ctx, opts, source.view, found, triggerId)
      : messageActionPayload(
          ctx,
          opts,
          messageLocation(ctx, source, opts),
          blocks,
          found,
          triggerId,
          source.kind === 'message' ? source.message : undefined,
        );
  const response = await sendPayload(ctx, payload, overridesOf(opts));
  return { ...response, triggerId, payload };
}

function actionSourceOf(opts: BlockActionOptions): ActionSource {
  const source: ActionSource | undefined =
    opts.source ??
    (opts.view
      ? { kind: 'view', view: opts.view }
      : opts.message
        ? 'ephemeral' in opts.message
          ? { kind: 'ephemeral', ephemeral: opts.message }
          : { kind: 'message', message: opts.message }
        : undefined);
  if (!source) throw new Error('blockAction: give source, message or view');
  return source;
}

function blocksOf(source: ActionSource): SlackBlock[] {
  return source.kind === 'message'
    ? source.message.blocks
    : source.kind === 'ephemeral'
      ? source.ephemeral.blocks
      : source.kind === 'ephemeralFrom'
        ? source.blocks
        : source.view.blocks;
}

/**
 * Where a message action happened. A message gets a fresh response URL bound to it; an ephemeral
 * reuses the URL that posted it (Slack's replace_original then acts on it), else gets a fresh one.
 */
function messageLocation(
  ctx: DriverContext,
  source: Exclude<ActionSource, { kind: 'view' }>,
  opts: BlockActionOptions,
): MessageLocation {
  const { standIn } = ctx;
  const { user } = opts;
  if (source.kind === 'message') {
    const { channel, ts } = source.message;
    const responseUrl = opts.responseUrl ?? standIn.newResponseUrl({ channel, user, messageTs: ts, ephemeral: false });
    return { channel, ts, threadTs: source.message.thread_ts, ephemeral: false, responseUrl };
  }
  if (source.kind === 'ephemeral') {
    const { channel, ts } = source.ephemeral;
    const responseUrl =
      opts.responseUrl ??
      (source.ephemeral.responseUrlId
        ? `${standIn.url}response/${source.ephemeral.responseUrlId}`
        : standIn.newResponseUrl({ channel, user, messageTs: ts, ephemeral: true }));
    return { channel, ts, threadTs: source.ephemeral.thread_ts, ephemeral: true, responseUrl };
  }
  const info = standIn.responseUrlInfo(source.responseUrl);
  if (!info) throw new Error(`the stand-in knows no response URL ${source.responseUrl}`);
  const ts = info.lastMessage?.ts ?? info.messageTs ?? '';
  return {
    channel: info.channel ?? '',
    ts,
    threadTs: undefined,
    ephemeral: true,
    responseUrl: opts.responseUrl ?? source.responseUrl,
  };
}

/** Clicks a button the bot really rendered in a message (or ephemeral), using the stand-in's current copy. */
export async function clickButton(ctx: DriverContext, opts: ClickButtonOptions): Promise<InteractionResult> {
  const { inMessage } = opts;
  const { standIn } = ctx;
  let source: ActionSource;
  if ('ephemeralFrom' in inMessage) {
    source = { kind: 'ephemeralFrom', responseUrl: inMessage.ephemeralFrom, blocks: inMessage.blocks };
  } else if ('ephemeral' in inMessage) {
    const current = standIn.ephemerals(inMessage.user).find((e) => e.ts === inMessage.ts) ?? inMessage;
    source = { kind: 'ephemeral', ephemeral: current };
  } else {
    const current = standIn.message(inMessage.channel, inMessage.ts) ?? inMessage;
    source = { kind: 'message', message: current };
  }
  const query = { actionId: opts.actionId, label: opts.label, blockId: opts.blockId, value: opts.value };
  const found = pickElement(blocksOf(source), { ...query, type: 'button' }, 'clickButton');
  return blockAction(ctx, {
    ...overridesOf(opts),
    user: opts.user,
    source,
    actionId: found.actionId,
    blockId: found.blockId,
    element: found.element,
  });
}

/** Clicks a button the bot really rendered in a modal or App Home. */
export async function clickButtonInView(
  ctx: DriverContext,
  opts: ClickButtonInViewOptions,
): Promise<InteractionResult> {
  const view = currentView(ctx, opts.view);
  const found = pickElement(
    view.blocks,
    { actionId: opts.actionId, label: opts.label, blockId: opts.blockId, value: opts.value, type: 'button' },
    `clickButtonInView(${view.id})`,
  );
  return blockAction(ctx, {
    ...overridesOf(opts),
    user: opts.user,
    source: { kind: 'view', view },
    actionId: found.actionId,
    blockId: found.blockId,
    element: found.element,
    ...(opts.values ? { values: opts.values } : {}),
  });
}

/**
 * Picks an option in a select/radio/checkbox/datepicker of a view that dispatches actions. The
 * pick is recorded in the view's state first, as a Slack client keeps it while the view is open.
 */
export async function selectInView(ctx: DriverContext, opts: SelectInViewOptions): Promise<InteractionResult> {
  const view = currentView(ctx, opts.view);
  const found = pickElement(
    view.blocks,
    { actionId: opts.actionId, blockId: opts.blockId, type: 'non-button' },
    `selectInView(${view.id})`,
  );
  const values: InputValues = { ...opts.values, [found.blockId]: { [found.actionId]: opts.selected } };
  const built = buildStateValues(view.blocks, values).values;
  ctx.standIn.setViewState(view.id, { ...view.state.values, ...built });
  return blockAction(ctx, {
    ...overridesOf(opts),
    user: opts.user,
    source: { kind: 'view', view: currentView(ctx, view.id) },
    actionId: found.actionId,
    blockId: found.blockId,
    element: found.element,
    selected: opts.selected,
    values,
  });
}
