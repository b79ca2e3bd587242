import type { Deploy, Site } from '@coffer/client'
import { useCallback, useEffect, useState } from 'react'
import type { CofferClient } from '../api/coffer-client.ts'
import { messageOf } from '../api/people-words.ts'
import { siteAbilities } from '../api/sites.ts'
import type { Whoami } from '../api/types.ts'
import { formatBytes, formatDate } from '../lib/format.ts'
import { ConfirmDialog, ErrorText } from './modal.tsx'
import './sites.css'

/** One deploy of a site: when, how many files, how large; live, or the buttons to switch or delete. */
function DeployRow(props: {
  site: Site
  deploy: Deploy
  abilities: ReturnType<typeof siteAbilities>
  onSwitch: () => void
  onDelete: () => void
}) {
  const { deploy, site } = props
  const live = site.current === deploy.id
  return (
    <tr aria-label={`Deploy ${deploy.id}`}>
      <td>
        <code title={deploy.id}>{deploy.id.slice(-8)}</code>
      </td>
      <td>
        <time dateTime={deploy.createdAt}>{formatDate(deploy.createdAt)}</time>
      </td>
      <td>{deploy.files === 1 ? '1 file' : `${deploy.files} files`}</td>
      <td>{formatBytes(deploy.bytes)}</td>
      <td className="deploy-actions">
        {live ? <span className="badge badge-live">Live</span> : null}
        {!live && props.abilities.switch ? (
          <button type="button" className="small" onClick={props.onSwitch}>
            Make live
          </button>
        ) : null}
        {!live && props.abilities.delete ? (
          <button type="button" className="small danger" onClick={props.onDelete}>
            Delete
          </button>
        ) : null}
      </td>
    </tr>
  )
}

/** A site: its name, a link to its own origin, and its deploys, newest first. */
function SiteCard(props: {
  client: CofferClient
  who: Whoami | undefined
  site: Site
  onChange: () => void
}) {
  const { client, site } = props
  const [deploys, setDeploys] = useState<Deploy[] | undefined>()
  const [error, setError] = useState<string | undefined>()
  const [deleting, setDeleting] = useState<Deploy | undefined>()
  useEffect(() => {
    let live = true
    client.sites.get(site.name).then(
      ({ deploys }) => live && setDeploys(deploys),
      (failure: unknown) => live && setError(messageOf(failure)),
    )
    return () => {
      live = false
    }
  }, [client, site])
  const abilities = siteAbilities(props.who, site.name)
  const switchTo = (deploy: Deploy) => {
    setError(undefined)
    client.sites
      .update(site.name, { current: deploy.id })
      .then(props.onChange, (failure: unknown) => setError(messageOf(failure)))
  }
  return (
    <li className="card site" aria-label={`Site ${site.name}`}>
      <div className="site-head">
        <h2>{site.name}</h2>
        <span className="muted">{site.public ? 'public' : 'private: opens with a preview link'}</span>
        <span className="spacer" />
        {site.current === undefined ? null : (
          <a className="button small" href={`${site.url}/`} target="_blank" rel="noopener noreferrer">
            Open
          </a>
        )}
      </div>
      {error === undefined ? null : <ErrorText message={error} />}
      {deploys === undefined && error === undefined ? <p aria-busy="true">Loading…</p> : null}
      {deploys === undefined ? null : (
        <table className="deploys">
          <caption className="visually-hidden">Deploys of {site.name}, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Deploy</th>
              <th scope="col">Created</th>
              <th scope="col">Files</th>
              <th scope="col">Size</th>
              <th scope="col">
                <span className="visually-hidden">Status and actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {deploys.map((deploy) => (
              <DeployRow
                key={deploy.id}
                site={site}
                deploy={deploy}
                abilities={abilities}
                onSwitch={() => switchTo(deploy)}
                onDelete={() => setDeleting(deploy)}
              />
            ))}
          </tbody>
        </table>
      )}
      {deleting === undefined ? null : (
        <ConfirmDialog
          title={`Delete deploy ${deleting.id.slice(-8)}?`}
          message={`Its ${deleting.files} files (${formatBytes(deleting.bytes)}) are deleted from ${site.name} for good. The live deploy stays as it is.`}
          confirm="Delete deploy"
          onClose={() => setDeleting(undefined)}
          onConfirm={async () => {
            await client.sites.deleteDeploy(site.name, deleting.id)
            setDeleting(undefined)
            props.onChange()
          }}
        />
      )}
    </li>
  )
}

/** The prototype sites this credential may see, with their deploys: open, switch the live one, delete old ones. */
export function SitesPage(props: { client: CofferClient; who: Whoami | undefined }) {
  const { client } = props
  const [sites, setSites] = useState<Site[] | undefined>()
  const [error, setError] = useState<string | undefined>()
  const load = useCallback(() => {
    client.sites.list().then(setSites, (failure: unknown) => setError(messageOf(failure)))
  }, [client])
  useEffect(load, [load])
  return (
    <main className="page sites-page">
      <div className="page-head">
        <h1>Sites</h1>
      </div>
      {error === undefined ? null : <ErrorText message={error} />}
      {sites === undefined && error === undefined ? <p aria-busy="true">Loading…</p> : null}
      {sites?.length === 0 ? (
        <p>No site is visible to this key. Deploy one with `coffer deploy ./dist --site NAME`.</p>
      ) : null}
      <ul className="site-list">
        {sites?.map((site) => (
          <SiteCard key={site.name} client={client} who={props.who} site={site} onChange={load} />
        ))}
      </ul>
    </main>
  )
}
