import type { WhatIfReport } from '../../contract/index.js';
import { percent, points } from '../api.js';

/** A wide table's own scroll box, reachable by keyboard so its hidden columns can be scrolled to. */
export function ScrollBox({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take focus to be scrolled by keyboard.
    <section className="review-scroll" aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}

type OffPolicy = WhatIfReport['estimate']['clickThrough'];
type Fairness = WhatIfReport['fairness']['draft'][number];

const interval = (e: { value: number; low: number; high: number }) =>
  `${percent(e.value, 2)} (95 % interval ${percent(e.low, 2)} – ${percent(e.high, 2)})`;

/** One rate estimated off-policy, or the plain reasons it cannot be trusted. */
function Estimate({ name, estimate }: { name: string; estimate: OffPolicy }) {
  const withheld = estimate.untrusted.length > 0 || estimate.snips === null;
  return (
    <div className="review-estimate" data-testid={`estimate-${name === 'Click-through' ? 'click' : 'conversion'}`}>
      <h4>{name}</h4>
      <p>
        Live, as logged: {interval(estimate.logged)}, from {estimate.decisions.toLocaleString('en-GB')} decisions.
      </p>
      {withheld ? (
        <div data-testid="untrusted">
          <p>
            <strong>The draft’s estimate cannot be trusted:</strong>
          </p>
          <ul>
            {estimate.untrusted.map((reason) => (
              <li key={reason}>{reason}</li>
            ))}
          </ul>
        </div>
      ) : (
        <dl className="facts">
          <dt>Draft (self-normalised IPW)</dt>
          <dd>{estimate.snips ? interval(estimate.snips) : '—'}</dd>
          <dt>Draft (doubly robust)</dt>
          <dd>{estimate.doublyRobust ? interval(estimate.doublyRobust) : '—'}</dd>
          <dt>Effective sample size</dt>
          <dd data-testid="ess">{estimate.effectiveSampleSize.toFixed(0)}</dd>
          <dt>Choices the logs never made</dt>
          <dd>{percent(estimate.unsupportedShare)}</dd>
        </dl>
      )}
    </div>
  );
}

function FairnessTable({ row, live }: { row: Fairness; live: Fairness | undefined }) {
  return (
    <ScrollBox label={`Fairness of ${row.offerId} by age band`}>
      <table data-testid={`fairness-${row.offerId}`} className="review-table">
        <caption>
          {row.offerId}
          {row.credit ? ' (credit)' : ''}: {row.flagged ? 'flagged' : 'no band flagged'}
        </caption>
        <thead>
          <tr>
            <th scope="col">Age band</th>
            <th scope="col">Customers</th>
            <th scope="col">Offered (draft)</th>
            <th scope="col">Against the best band</th>
            <th scope="col">Flag and cause</th>
          </tr>
        </thead>
        <tbody>
          {row.groups.map((group) => {
            const before = live?.groups.find((g) => g.group === group.group);
            return (
              <tr key={group.group} className={group.flagged ? 'review-flagged' : undefined}>
                <th scope="row">{group.group}</th>
                <td>{group.customers}</td>
                <td>
                  {percent(group.rate)}
                  {before ? ` (live ${percent(before.rate)})` : ''}
                </td>
                <td>{group.ratio.toFixed(2)}</td>
                <td>
                  {group.flagged
                    ? `flagged: under four fifths, most often held back by ${group.cause?.rule ?? '—'}`
                    : '—'}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </ScrollBox>
  );
}

/**
 * The draft's what-if report: the replay against the live catalog, the off-policy estimate, and the fairness check by
 * age band (credit offers first; offers neither flagged, credit nor the one under review are folded away).
 */
export function WhatIf({ report }: { report: WhatIfReport }) {
  const { replay, estimate, fairness, sample } = report;
  const live = new Map(fairness.live.map((row) => [row.offerId, row]));
  const ordered = [...fairness.draft].sort((a, b) => Number(b.credit) - Number(a.credit));
  const shown = ordered.filter((r) => r.credit || r.flagged || r.offerId === report.offerId);
  const folded = ordered.filter((r) => !shown.includes(r));
  const changedPlacements = replay.placements
    .map((p) => ({ ...p, shares: p.shares.filter((s) => s.live !== s.draft) }))
    .filter((p) => p.shares.length > 0);
  return (
    <div data-testid="what-if" className="review-what-if">
      <p>
        Replayed on {sample.customers.toLocaleString('en-GB')} customers beside live catalog {report.liveCatalogVersion}
        , nothing written.
      </p>

      <h3>Replay</h3>
      <p data-testid="left-with-nothing">
        Customers left with house offers only: {replay.leftWithNothing.live} live, {replay.leftWithNothing.draft} with
        the draft
        {replay.leftWithNothing.topRule
          ? `; most often because of the rule ${replay.leftWithNothing.topRule.rule} (${replay.leftWithNothing.topRule.count})`
          : ''}
        .
      </p>
      {changedPlacements.length === 0 ? (
        <p data-testid="shares-unchanged">No placement’s shares change.</p>
      ) : (
        changedPlacements.map((p) => (
          <ScrollBox label={`Shares in ${p.placement}`} key={p.placement}>
            <table className="review-table" data-testid={`shares-${p.placement}`}>
              <caption>Share of customers by offer in {p.placement} (changed rows)</caption>
              <thead>
                <tr>
                  <th scope="col">Offer</th>
                  <th scope="col">Live</th>
                  <th scope="col">Draft</th>
                  <th scope="col">Change</th>
                </tr>
              </thead>
              <tbody>
                {p.shares.map((s) => (
                  <tr key={s.offerId ?? 'none'}>
                    <th scope="row">{s.offerId ?? 'nothing'}</th>
                    <td>{percent(s.live)}</td>
                    <td>{percent(s.draft)}</td>
                    <td>{points(s.draft - s.live)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollBox>
        ))
      )}
      <ScrollBox label="Changes by cluster and stage">
        <table className="review-table" data-testid="changed-by-cluster">
          <caption>Customers whose decision changes, by cluster and by stage</caption>
          <thead>
            <tr>
              <th scope="col">Cluster or stage</th>
              <th scope="col">Customers</th>
              <th scope="col">Changed</th>
            </tr>
          </thead>
          <tbody>
            {replay.changedByCluster.map((row) => (
              <tr key={`c:${row.cluster}`}>
                <th scope="row">{row.cluster ?? 'no cluster'}</th>
                <td>{row.customers}</td>
                <td>{row.changed}</td>
              </tr>
            ))}
            {replay.changedByStage.map((row) => (
              <tr key={`s:${row.stage}`}>
                <th scope="row">stage {row.stage}</th>
                <td>{row.customers}</td>
                <td>{row.changed}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      {replay.movers.length > 0 ? (
        <ScrollBox label="Offers that gain or lose most">
          <table className="review-table" data-testid="movers">
            <caption>Offers that gain or lose most (customers shown it)</caption>
            <thead>
              <tr>
                <th scope="col">Offer</th>
                <th scope="col">Live</th>
                <th scope="col">Draft</th>
              </tr>
            </thead>
            <tbody>
              {replay.movers.map((m) => (
                <tr key={m.offerId}>
                  <th scope="row">{m.offerId}</th>
                  <td>{m.live}</td>
                  <td>{m.draft}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      ) : null}

      <h3>Estimated from the logged decisions</h3>
      <Estimate name="Click-through" estimate={estimate.clickThrough} />
      <Estimate name="Conversion" estimate={estimate.conversion} />

      <h3>Fairness by age band</h3>
      <p>A band offered under four fifths of the best band’s rate, with at least 30 customers, is flagged.</p>
      {shown.map((row) => (
        <FairnessTable key={row.offerId} row={row} live={live.get(row.offerId)} />
      ))}
      {folded.length > 0 ? (
        <details>
          <summary>{folded.length} other offers, none flagged</summary>
          {folded.map((row) => (
            <FairnessTable key={row.offerId} row={row} live={live.get(row.offerId)} />
          ))}
        </details>
      ) : null}
    </div>
  );
}
