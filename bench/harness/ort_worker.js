// A benchmark worker for one ONNX Runtime (CPU, onnxruntime-node) configuration.
//
//   node ort_worker.js --ort DIR/node_modules/onnxruntime-node --onnx M.onnx --feeds FEEDS.json
//                      [--execution sequential|parallel] [--intra N] [--inter N]
//                      [--profile PREFIX]
//
// FEEDS.json lists the inputs: [{"name", "type" (float32, int64, ...), "dims", "file"}], each
// file holding the raw little-endian values (the same tensors the PyTorch workers load). It
// serves the line protocol of protocol.py: run, outputs (raw files plus a JSON index), quit.
// With --profile, ONNX Runtime records every kernel's time (enableProfiling) from the first run;
// the command end_profile ends it: PREFIX_<date>.json is complete once the worker has quit.
'use strict';
const fs = require('fs');
const path = require('path');
const readline = require('readline');

function parseArgs(argv) {
  const args = {execution: 'sequential', intra: 1, inter: 1};
  for (let i = 0; i < argv.length; i += 2) args[argv[i].replace(/^--/, '')] = argv[i + 1];
  args.intra = Number(args.intra);
  args.inter = Number(args.inter);
  return args;
}

function reply(fields) {
  process.stdout.write(JSON.stringify(Object.assign({ok: true}, fields)) + '\n');
}

const ARRAYS = {
  float32: Float32Array, float64: Float64Array, int32: Int32Array, int64: BigInt64Array,
  int8: Int8Array, uint8: Uint8Array, bool: Uint8Array,
};

function loadFeeds(ort, feedsPath) {
  const feeds = {};
  for (const spec of JSON.parse(fs.readFileSync(feedsPath, 'utf8'))) {
    const bytes = fs.readFileSync(spec.file);
    const Type = ARRAYS[spec.type];
    // Copy into a fresh, aligned buffer: a Buffer's offset need not suit the element size.
    const copy = new ArrayBuffer(bytes.length);
    new Uint8Array(copy).set(bytes);
    feeds[spec.name] = new ort.Tensor(spec.type, new Type(copy), spec.dims);
  }
  return feeds;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  let session, feeds, ort;
  try {
    ort = require(path.resolve(args.ort));
    const options = {
      executionProviders: ['cpu'],
      executionMode: args.execution,
      intraOpNumThreads: args.intra,
      interOpNumThreads: args.inter,
      graphOptimizationLevel: 'all',
    };
    if (args.profile) Object.assign(options, {enableProfiling: true, profileFilePrefix: args.profile});
    const started = process.hrtime.bigint();
    session = await ort.InferenceSession.create(args.onnx, options);
    feeds = loadFeeds(ort, args.feeds);
    const loadMs = Number(process.hrtime.bigint() - started) / 1e6;
    const version = require(path.join(path.resolve(args.ort), 'package.json')).version;
    reply({ready: true, info: {kind: 'ort', execution: args.execution, intra_op_threads: args.intra,
                               inter_op_threads: args.inter, load_ms: loadMs, pid: process.pid,
                               onnxruntime: version, node: process.version}});
  } catch (error) {
    reply({ok: false, error: 'cannot load: ' + error.message});
    process.exit(1);
  }

  const lines = readline.createInterface({input: process.stdin, terminal: false});
  for await (const line of lines) {
    if (!line.trim()) continue;
    try {
      const request = JSON.parse(line);
      if (request.cmd === 'quit') {
        reply({});
        break;
      } else if (request.cmd === 'run') {
        const times = [];
        for (let i = 0; i < (request.iters || 1); i++) {
          const start = process.hrtime.bigint();
          await session.run(feeds);
          times.push(Number(process.hrtime.bigint() - start) / 1e6);
        }
        reply({times_ms: times});
      } else if (request.cmd === 'end_profile') {
        session.endProfiling();
        reply({});
      } else if (request.cmd === 'outputs') {
        const results = await session.run(feeds);
        const index = session.outputNames.map((name, i) => {
          const tensor = results[name];
          const file = request.path + '.' + i + '.bin';
          const data = tensor.data;
          fs.writeFileSync(file, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
          return {name, type: tensor.type, dims: tensor.dims, file};
        });
        fs.writeFileSync(request.path, JSON.stringify(index));
        reply({path: request.path});
      } else {
        reply({ok: false, error: 'unknown command ' + request.cmd});
      }
    } catch (error) {
      reply({ok: false, error: String(error && error.message || error)});
    }
  }
  process.exit(0);
}

main();
