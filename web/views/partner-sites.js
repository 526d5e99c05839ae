/**
 * The administrators' partner sites (#/partners): the external sites the organization works
 * with (a maternity ward a laboratory sends results to). Each site has a name, its contacts
 * (people invited with the external profile for that site; attached here once their code
 * check is done) and its partner space, a workspace the admin creates from here, marked in its
 * encrypted settings as serving that site, with the contacts added as contributors.
 *
 * Leaving follows the trust model: removing a contact removes them from the site's space first
 * (everyone else moves to a new key, in its history), then revokes their account (a signed
 * revocation: a contact's account serves their site only); removing a site does that for each
 * of its contacts before the server forgets the site.
 */

import { api } from '../api.js';
import { confirmAction } from '../confirm.js';
import { cryptoClient } from '../crypto-client.js';
import { forgetDirectory, verifiedDirectory } from '../directory.js';
import { field, formValues, h, show } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { createWorkspace, loadWorkspace, shareWorkspace, unshareWorkspace } from '../workspaces.js';
import { attempt, errorBox, showError } from './feedback.js';
import { invitationLinkHolder, showInvitationLink } from './invitations.js';

const CONTACT_ROLE = 'contributor';

/** Adds `userId` to the site's space (opened in the worker first), if it has one. */
async function addToSpace(site, userId) {
  if (site.workspace_id) {
    await loadWorkspace(site.workspace_id);
    await shareWorkspace(site.workspace_id, userId, CONTACT_ROLE);
  }
}

/**
 * Attaches to each site the external people whose verified certificate names it and who
 * belong to no site yet (invited from that site's form, their code check now done), adding
 * them to the site's space.
 */
async function attachNewContacts(sites, people) {
  const attached = new Set(sites.flatMap((site) => site.contacts.map((c) => c.user_id)));
  let changed = false;
  for (const site of sites) {
    const newcomers = people.filter((person) => person.valid && person.active
      && person.profile === 'external' && person.site === site.name
      && !attached.has(person.user_id));
    for (const person of newcomers) {
      await api('POST', `/api/partner-sites/${site.id}/contacts`, { user_id: person.user_id });
      await addToSpace(site, person.user_id);
      attached.add(person.user_id);
      changed = true;
    }
  }
  return changed;
}

async function createSpace(site) {
  const workspaceId = await createWorkspace(site.name, site.id);
  await loadWorkspace(workspaceId);
  for (const contact of site.contacts.filter((c) => !c.revoked)) {
    await shareWorkspace(workspaceId, contact.user_id, CONTACT_ROLE);
  }
  await api('PUT', `/api/partner-sites/${site.id}/space`, { workspace_id: workspaceId });
}

/** Out of the site's space (a new key for everyone who stays), if they are in it. */
async function removeFromSpace(site, userId) {
  if (!site.workspace_id) {
    return;
  }
  const space = await loadWorkspace(site.workspace_id);
  if (space.members.some((member) => member.user_id === userId)) {
    await unshareWorkspace(site.workspace_id, userId);
  }
}

/** A contact leaves: out of the site's space (a new key), then their account revoked (a
 * contact's account serves their site only), then detached from the site. */
async function leave(site, contact) {
  await removeFromSpace(site, contact.user_id);
  if (!contact.revoked) {
    const { revocation } = await cryptoClient().call('directory.sign_revocation',
      { user_id: contact.user_id });
    await api('POST', `/api/users/${contact.user_id}/revoke`, { revocation });
  }
}

async function removeContact(site, contact) {
  await leave(site, contact);
  await api('DELETE', `/api/partner-sites/${site.id}/contacts/${contact.user_id}`);
}

async function removeSite(site) {
  for (const contact of site.contacts) {
    await leave(site, contact);
  }
  await api('DELETE', `/api/partner-sites/${site.id}`);
}

function contactItem(site, contact, person, act) {
  const name = person?.display_name ?? contact.user_id;
  const remove = h('button', { type: 'button', class: 'danger contact-remove' },
    t('partners.removeContact'));
  remove.addEventListener('click', async () => {
    if (await confirmAction(t('partners.confirmRemoveContact', { name, site: site.name }))) {
      act(remove, () => removeContact(site, contact));
    }
  });
  return h('li', { class: 'contact', dataset: { userId: contact.user_id } },
    h('span', { class: 'contact-name' }, name), ' ',
    h('span', { class: 'muted' }, person?.email ?? ''), ' ',
    contact.revoked ? h('span', { class: 'badge badge-revoked' }, t('directory.revoked')) : remove);
}

function renameForm(site, act) {
  const id = `field-name-${site.id}`;
  const input = h('input', { id, name: 'name', value: site.name, required: true, maxlength: 120 });
  const save = h('button', { type: 'submit', class: 'site-rename' }, t('partners.rename'));
  return h('form', { class: 'inline-form', onsubmit: (event) => {
    event.preventDefault();
    act(save, () => api('PATCH', `/api/partner-sites/${site.id}`, { name: input.value }));
  } }, h('label', { for: id }, t('partners.newName')), input, save);
}

function inviteForm(site, box) {
  const holder = invitationLinkHolder(`invitation-result-${site.id}`);
  const fields = [['display_name', 'person.name', 'text'], ['email', 'person.email', 'email']]
    .map(([name, label, type]) => {
      const id = `field-${name}-${site.id}`;
      return h('div', { class: 'field' }, h('label', { for: id }, t(label)),
        h('input', { id, name, type, required: true }));
    });
  const submit = h('button', { type: 'submit', class: 'contact-invite' },
    t('partners.inviteContact'));
  const form = h('form', { onsubmit: async (event) => {
    event.preventDefault();
    const created = await attempt(submit, box, () => api('POST', '/api/invitations',
      { ...formValues(form), site: site.name, profile: 'external' }));
    if (created) {
      form.reset();
      showInvitationLink(holder, created, 'invite.createdTitle');
    }
  } }, ...fields, submit);
  return [form, holder];
}

function siteSection(site, directory, act) {
  const box = errorBox();
  const headingId = `site-title-${site.id}`;
  const people = new Map(directory.map((person) => [person.user_id, person]));
  const space = site.workspace_id
    ? h('a', { class: 'button site-space', href: `#/w/${site.workspace_id}` },
      t('partners.openSpace'))
    : h('button', { type: 'button', class: 'primary site-create-space' },
      t('partners.createSpace'));
  if (!site.workspace_id) {
    space.addEventListener('click', () => act(space, () => createSpace(site), box));
  }
  const rename = renameForm(site, (button, action) => act(button, action, box));
  const remove = h('button', { type: 'button', class: 'danger site-remove' },
    t('partners.removeSite'));
  remove.addEventListener('click', async () => {
    if (await confirmAction(t('partners.confirmRemoveSite', { site: site.name }))) {
      act(remove, () => removeSite(site), box);
    }
  });
  const [invite, holder] = inviteForm(site, box);
  const contacts = site.contacts.length
    ? h('ul', { class: 'contacts' }, ...site.contacts.map((contact) => contactItem(site, contact,
      people.get(contact.user_id), (button, action) => act(button, action, box))))
    : h('p', { class: 'muted' }, t('partners.noContacts'));
  return h('section', { class: 'panel partner-site', dataset: { siteId: site.id },
    'aria-labelledby': headingId },
  h('h2', { id: headingId }, site.name),
  rename,
  h('h3', {}, t('partners.contacts')), contacts,
  h('p', { class: 'muted' }, t('partners.contactsExplain')),
  invite, holder,
  h('div', { class: 'actions' }, space, remove), box);
}

function createForm(act) {
  const [nameField] = field(t('partners.name'), { name: 'name', required: true, maxlength: 120 });
  const submit = h('button', { type: 'submit', class: 'primary', id: 'site-create' },
    t('partners.create'));
  const form = h('form', { onsubmit: (event) => {
    event.preventDefault();
    act(submit, () => api('POST', '/api/partner-sites', formValues(form)));
  } }, nameField, submit);
  return form;
}

export function renderPartnerSites(root) {
  const box = errorBox();
  const list = h('div', { id: 'partner-sites' });
  // Runs a change, then draws the sites again; its failure shows in `where` (the page's box).
  const act = async (button, action, where = box) => {
    if ((await attempt(button, where, async () => {
      await action();
      return true;
    }))) {
      await draw().catch((error) => showError(where, error, { focus: true }));
    }
  };
  const draw = async () => {
    let { sites } = await api('GET', '/api/partner-sites');
    // Read afresh: what was done here changes it (a newcomer certified, a contact revoked).
    forgetDirectory();
    const directory = await verifiedDirectory();
    if (await attachNewContacts(sites, directory)) {
      ({ sites } = await api('GET', '/api/partner-sites'));
    }
    list.replaceChildren(...(sites.length
      ? sites.map((site) => siteSection(site, directory, act))
      : [h('p', { class: 'muted', id: 'no-partner-sites' }, t('partners.none'))]));
  };
  show(root,
    h('section', { class: 'panel', 'aria-labelledby': 'partners-title' },
      h('h1', { id: 'partners-title' }, t('partners.title')),
      h('p', {}, t('partners.explain')),
      h('p', {}, h('a', { href: '#/board', id: 'partners-board' }, t('nav.board'))),
      h('h2', { id: 'site-create-title' }, t('partners.createTitle')),
      createForm(act), box),
    list);
  draw().catch((error) => showError(box, error));
}
