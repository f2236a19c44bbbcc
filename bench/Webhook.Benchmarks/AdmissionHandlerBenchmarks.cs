using System.Text.Json;
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
/// tests use, and its parts: reading the review into a JsonDocument, the one mutation core on the pod,
/// writing the answer. Baseline: parsing the same bytes into a JsonNode.
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
    private byte[] _rayClusterBody = [];
    private AdmissionHandler _handler = null!;
    private JsonObject _pod = null!;
    private JsonDocument _document = null!;
    private JsonElement _podElement;
    private GpuPolicy _policy = null!;
    private Mutation.MutationResult _result = null!;

    public int BodyBytes => _body.Length;

    [GlobalSetup]
    public void Setup()
    {
        _body = Fixture.CompactReview();
        var loaded = PolicyLoader.Parse(Policy);
        var policy = loaded.Policy ?? throw new InvalidOperationException(string.Join("; ", loaded.Errors));
        _policy = policy;
        _pod = JsonNode.Parse(_body)!["request"]!["object"]!.AsObject();
        _document = JsonDocument.Parse(_body);
        _podElement = _document.RootElement.GetProperty("request").GetProperty("object");
        _result = Mutation.PodMutator.Mutate(_podElement, "ml-team", policy, keepMutated: false, CancellationToken.None) is { Decision: Mutation.MutationDecision.Patched } patched
            ? patched
            : throw new InvalidOperationException("the fixture must be patched");
        _handler = new AdmissionHandler(new FixedPolicy(policy), new FixedOptions(), NullLogger<AdmissionHandler>.Instance);
        var outcome = _handler.Handle(_body);
        if (outcome.Decision != AdmissionOutcome.Patched)
        {
            throw new InvalidOperationException($"the fixture must be patched, got {outcome.Decision}");
        }

        _rayClusterBody = Fixture.RayClusterReview();
        if (_handler.Handle(_rayClusterBody).Decision != AdmissionOutcome.Patched)
        {
            throw new InvalidOperationException("the RayCluster fixture must be patched");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _document.Dispose();

    [Benchmark(Baseline = true)]
    public JsonNode? ParseOnly() => JsonNode.Parse(_body);

    /// <summary>The one core on the pod as the handler gives it (an element of the request's document).</summary>
    [Benchmark]
    public object MutateOnly() => Mutation.PodMutator.Mutate(_podElement, "ml-team", _policy, keepMutated: false, CancellationToken.None);

    /// <summary>The floor of any forward-only reading: every token of the body visited once, nothing built.</summary>
    [Benchmark]
    public int ScanOnly()
    {
        var reader = new Utf8JsonReader(_body);
        var tokens = 0;
        while (reader.Read())
        {
            tokens++;
        }

        return tokens;
    }

    /// <summary>The handler's reading alone: the body into a pooled JsonDocument and the envelope's fields.</summary>
    [Benchmark]
    public string ReadRequest()
    {
        using var request = AdmissionRequest.Parse(_body);
        return request.Uid;
    }

    /// <summary>The answer alone: the AdmissionReview response for <see cref="MutateOnly"/>'s result (patch as base64,
    /// warnings, audit annotations), what <see cref="Handle"/> does after mutating.</summary>
    [Benchmark]
    public byte[] WriteResponse() =>
        AdmissionResponseWriter.Write("admission.k8s.io/v1", "705ab4f5-6393-11e8-b7cc-42010a800002", true, _result.Patch, _result.Warnings, _result.AuditAnnotations);

    [Benchmark]
    public byte[] Handle() => _handler.Handle(_body).ResponseBody;

    /// <summary>A RayCluster CREATE with four groups: every group template through the core, one answer.</summary>
    [Benchmark]
    public byte[] HandleRayCluster() => _handler.Handle(_rayClusterBody).ResponseBody;

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
