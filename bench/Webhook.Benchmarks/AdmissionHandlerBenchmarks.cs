using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Platform.Webhook.Admission;
using Platform.Webhook.Policy;

namespace Platform.Webhook.Benchmarks;

/// <summary>
/// The in-process cost of one admission: a recorded KubeRay GPU worker AdmissionReview (~10 KB compact)
/// through <see cref="AdmissionHandler.Handle"/>, bytes in, bytes out, with the A10G policy the host
/// tests use. Baseline: parsing the same bytes into a JsonNode (what the handler did before it read the review
/// sparsely); ScanOnly is the floor of any reader that validates the whole body.
/// </summary>
public class AdmissionHandlerBenchmarks
{
    /// <summary>a10g-policy.yaml, the policy bench/webhook-bench.sh gives the server too.</summary>
    public static string Policy => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "a10g-policy.yaml"));

    /// <summary>In process (the csproj and assembly names differ, and no child build is needed), a short but
    /// steady job: 3 warm-up and 10 measured iterations.</summary>
    public static IConfig Config { get; } = DefaultConfig.Instance
        .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10))
        .AddDiagnoser(MemoryDiagnoser.Default);

    private byte[] _body = [];
    private AdmissionHandler _handler = null!;
    private JsonObject _pod = null!;
    private JsonObject _sparsePod = null!;
    private AdmissionRequest _request = null!;
    private GpuPolicy _policy = null!;
    private Mutation.MutationResult _fastResult = null!;

    public int BodyBytes => _body.Length;

    [GlobalSetup]
    public void Setup()
    {
        _body = Fixture.CompactReview();
        var loaded = PolicyLoader.Parse(Policy);
        var policy = loaded.Policy ?? throw new InvalidOperationException(string.Join("; ", loaded.Errors));
        _policy = policy;
        _pod = JsonNode.Parse(_body)!["request"]!["object"]!.AsObject();
        _request = AdmissionRequest.Parse(_body);
        _sparsePod = _request.Pod?.ToJsonObject(_body) ?? throw new InvalidOperationException("the fixture must be a pod CREATE");
        _fastResult = SparseWorkerMutation.TryMutate(_request.Pod, _body, _request.Namespace, policy) is { Decision: Mutation.MutationDecision.Patched } fast
            ? fast
            : throw new InvalidOperationException("the fixture must be patched on the handler's fast path");
        _handler = new AdmissionHandler(new FixedPolicy(policy), new FixedOptions(), NullLogger<AdmissionHandler>.Instance);
        var outcome = _handler.Handle(_body);
        if (outcome.Decision != AdmissionOutcome.Patched)
        {
            throw new InvalidOperationException($"the fixture must be patched, got {outcome.Decision}");
        }
    }

    [Benchmark(Baseline = true)]
    public JsonNode? ParseOnly() => JsonNode.Parse(_body);

    /// <summary>The pure core alone (classify, mutate, apply and check the patch) on an already parsed pod.</summary>
    [Benchmark]
    public object MutateOnly() => Mutation.PodMutator.Mutate(_pod, "ml-team", _policy);

    /// <summary>The floor of any forward-only reading: every token of the body visited once, nothing built.</summary>
    [Benchmark]
    public int ScanOnly()
    {
        var reader = new System.Text.Json.Utf8JsonReader(_body);
        var tokens = 0;
        while (reader.Read())
        {
            tokens++;
        }

        return tokens;
    }

    /// <summary>The same floor with the handler's own scanner: every byte validated, nothing built.</summary>
    [Benchmark]
    public int ScannerOnly()
    {
        var scanner = new JsonScanner(_body);
        var start = scanner.SkipValue();
        scanner.EnsureEnd();
        return scanner.Position - start;
    }

    /// <summary>The handler's reading alone: the envelope and the sparse pod, in one forward-only pass.</summary>
    [Benchmark]
    public object ReadRequest() => AdmissionRequest.Parse(_body);

    /// <summary>The handler's fast path alone, on the request <see cref="ReadRequest"/> reads: what
    /// <see cref="Handle"/> does for this pod between reading the review and writing the answer.</summary>
    [Benchmark]
    public object MutateFast() => SparseWorkerMutation.TryMutate(_request.Pod!, _body, _request.Namespace, _policy)!;

    /// <summary>The answer alone: the AdmissionReview response for <see cref="MutateFast"/>'s result (patch as base64,
    /// warnings, audit annotations), what <see cref="Handle"/> does after mutating.</summary>
    [Benchmark]
    public byte[] WriteResponse() =>
        AdmissionResponseWriter.Write(_request.ApiVersion, _request.Uid, true, _fastResult.Patch, _fastResult.Warnings, _fastResult.AuditAnnotations);

    /// <summary>The pure core on the sparse pod the handler reads (what <see cref="Handle"/> mutates).</summary>
    [Benchmark]
    public object MutateSparse() => Mutation.PodMutator.Mutate(_sparsePod, "ml-team", _policy);

    /// <summary>The handler's pipeline as it was before the sparse reading, measured in the same run: the whole
    /// review parsed into a JsonNode, the full pod mutated, the same response written.</summary>
    [Benchmark]
    public byte[] HandleFullParse()
    {
        var review = JsonNode.Parse(_body)!;
        var request = review["request"]!;
        var result = Mutation.PodMutator.Mutate(request["object"]!.AsObject(), request["namespace"]!.GetValue<string>(), _policy);
        return AdmissionResponseWriter.Write(review["apiVersion"]!.GetValue<string>(), request["uid"]!.GetValue<string>(), true, result.Patch, result.Warnings, result.AuditAnnotations);
    }

    [Benchmark]
    public byte[] Handle() => _handler.Handle(_body).ResponseBody;

    private sealed class FixedPolicy(GpuPolicy policy) : IPolicySource
    {
        public GpuPolicy Current => policy;
    }

    private sealed class FixedOptions : IOptionsMonitor<AdmissionOptions>
    {
        public AdmissionOptions CurrentValue { get; } = new();

        public AdmissionOptions Get(string? name) => CurrentValue;

        public IDisposable? OnChange(Action<AdmissionOptions, string?> listener) => null;
    }
}
