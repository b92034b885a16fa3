// @ts-check
// The Slack user groups the approver groups name, changed as the company's identity provider
// would change them: add or remove a person, and Slack tells the bot (subteam_members_changed),
// so who may approve follows at once.

import { changeUsergroup } from './api.js';
import { busy, h } from './dom.js';
import { load, nameOf, save } from './session.js';

/** @import { PageState, Usergroup } from './types.js' */

/**
 * One group: its handle, the approver groups it makes, its members (each with Remove) and a menu
 * to add anyone else the picker knows.
 * @param {PageState} s
 * @param {Usergroup} group
 */
function usergroupItem(s, group) {
  const others = s.people.filter((p) => !group.members.includes(p.id));
  const add = h(
    'select',
    {
      className: 'ug-add',
      attrs: { 'aria-label': `Add someone to @${group.handle}` },
      on: {
        change: () => {
          const user = add.value;
          if (user) void busy(null, () => changeUsergroup({ usergroup: group.id, user, change: 'add' }));
        },
      },
    },
    h('option', { value: '', text: 'Add someone…' }),
    ...others.map((p) => h('option', { value: p.id, text: p.name })),
  );
  return h(
    'li',
    { className: 'ug', dataset: { usergroup: group.id } },
    h('div', { className: 'ug-handle', text: `@${group.handle}` }),
    h('div', { className: 'ug-for', text: `approves as ${group.approverGroups.join(', ')}` }),
    h(
      'ul',
      { className: 'ug-members' },
      ...group.members.map((user) => {
        const name = nameOf(user) ?? user;
        const remove = h('button', {
          type: 'button',
          className: 'ug-remove',
          text: '×',
          attrs: { 'aria-label': `Remove ${name} from @${group.handle}`, title: `Remove from @${group.handle}` },
          on: {
            click: () => void busy(remove, () => changeUsergroup({ usergroup: group.id, user, change: 'remove' })),
          },
        });
        return h('li', {}, h('span', { text: name }), remove);
      }),
    ),
    add,
  );
}

/**
 * The sidebar's "Slack user groups" panel, or nothing when no approver group names one.
 * @param {PageState} s
 */
export function usergroupsPanel(s) {
  if (s.usergroups.length === 0) return null;
  return h(
    'details',
    {
      className: 'tour usergroups',
      open: load('tg.usergroups', false),
      on: { toggle: (e) => save('tg.usergroups', /** @type {HTMLDetailsElement} */ (e.currentTarget).open) },
    },
    h('summary', { text: 'Slack user groups' }),
    h('p', {
      className: 'ug-note',
      text: 'Who is in these groups may approve. Change them as the identity provider would: Slack tells toolgate.',
    }),
    h('ul', { className: 'ug-list' }, ...s.usergroups.map((g) => usergroupItem(s, g))),
  );
}
