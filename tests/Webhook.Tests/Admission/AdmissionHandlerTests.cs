using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NSubstitute;
using Platform.Webhook.Admission;
using Platform.Webhook.Policy;
using Platform.Webhook.Tests.TestSupport;

namespace Platform.Webhook.Tests.Admission;

public class AdmissionHandlerTests
{
    private const string Uid = "b0a1c2d3-0000-4000-8000-000000000001";

    [Fact]
    public void Handle_GpuWorker_AnswersPatchThatAppliesIndependently()
    {
        var pod = Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit);

        var outcome = Handler().Handle(Fixtures.ReviewBytes(pod, uid: Uid));

        var response = Response(outcome);
        Assert.Equal("patched", outcome.Decision);
        Assert.Equal("worker", outcome.PodKind);
        Assert.Equal(Uid, response["uid"]!.GetValue<string>());
        Assert.True(response["allowed"]!.GetValue<bool>());
        Assert.Equal("JSONPatch", response["patchType"]!.GetValue<string>());
        var patched = IndependentJsonPatch.Apply(pod, Convert.FromBase64String(response["patch"]!.GetValue<string>()));
        Assert.Equal("1", patched["spec"]!["containers"]![0]!["resources"]!["limits"]!["nvidia.com/gpu"]!.GetValue<string>());
        Assert.Equal("a10g", response["auditAnnotations"]!["profile"]!.GetValue<string>());
        Assert.NotEmpty(response["warnings"]!.AsArray());
    }

    [Fact]
    public void Handle_Envelope_EchoesApiVersionAndKind()
    {
        var outcome = Handler().Handle(Fixtures.ReviewBytes(Fixtures.Pod(Fixtures.PlainPod), uid: Uid));

        var root = JsonNode.Parse(outcome.ResponseBody)!;
        Assert.Equal("admission.k8s.io/v1", root["apiVersion"]!.GetValue<string>());
        Assert.Equal("AdmissionReview", root["kind"]!.GetValue<string>());
        Assert.Equal("allowed", outcome.Decision);
        Assert.Equal("other", outcome.PodKind);
        Assert.Null(root["response"]!["patch"]);
        Assert.Null(root["response"]!["patchType"]);
    }

    [Theory]
    [InlineData("UPDATE")]
    [InlineData("DELETE")]
    [InlineData("CONNECT")]
    public void Handle_OtherOperations_AllowedUntouched(string operation)
    {
        var outcome = Handler().Handle(Fixtures.ReviewBytes(Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit), operation, Uid));

        Assert.Equal("allowed", outcome.Decision);
        Assert.Null(Response(outcome)["patch"]);
    }

    [Fact]
    public void Handle_OtherResource_AllowedUntouched()
    {
        var review = Fixtures.Review(Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit), uid: Uid);
        review["request"]!["resource"]!["resource"] = "configmaps";

        var outcome = Handler().Handle(Encoding.UTF8.GetBytes(review.ToJsonString()));

        Assert.Equal("allowed", outcome.Decision);
    }

    [Fact]
    public void Handle_PodSubresource_AllowedUntouched()
    {
        var review = Fixtures.Review(Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit), uid: Uid);
        review["request"]!["subResource"] = "ephemeralcontainers";

        var outcome = Handler().Handle(Encoding.UTF8.GetBytes(review.ToJsonString()));

        Assert.Equal("allowed", outcome.Decision);
    }

    [Fact]
    public void Handle_DryRun_GetsTheSameAnswer()
    {
        var pod = Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit);
        var handler = Handler();

        var real = Response(handler.Handle(Fixtures.ReviewBytes(pod, uid: Uid)));
        var dry = Response(handler.Handle(Fixtures.ReviewBytes(pod, uid: Uid, dryRun: true)));

        Assert.True(JsonNode.DeepEquals(real, dry));
    }

    [Fact]
    public void Handle_UnknownProfile_DeniedWith403()
    {
        var pod = Fixtures.Pod(Fixtures.GpuWorker);
        pod["metadata"]!["annotations"] = new JsonObject { ["raygpu.io/profile"] = "nope" };

        var outcome = Handler().Handle(Fixtures.ReviewBytes(pod, uid: Uid));

        var response = Response(outcome);
        Assert.Equal("denied", outcome.Decision);
        Assert.False(response["allowed"]!.GetValue<bool>());
        Assert.Equal(403, response["status"]!["code"]!.GetValue<int>());
        Assert.Contains("known profiles: a10g, h100x8", response["status"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(Uid, response["uid"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("allow", true)]
    [InlineData("deny", false)]
    public void Handle_MutationFails_FollowsOnError(string onError, bool allowed)
    {
        var pod = Fixtures.Pod(Fixtures.GpuWorker);
        pod["spec"]!["tolerations"] = "broken";

        var outcome = Handler(onError == "deny" ? OnErrorAction.Deny : OnErrorAction.Allow).Handle(Fixtures.ReviewBytes(pod, uid: Uid));

        var response = Response(outcome);
        Assert.Equal("error", outcome.Decision);
        Assert.Equal(allowed, response["allowed"]!.GetValue<bool>());
        Assert.Null(response["patch"]);
        Assert.Equal(Uid, response["uid"]!.GetValue<string>());
        if (allowed)
        {
            Assert.Contains(response["warnings"]!.AsArray(), w => w!.GetValue<string>().Contains("/spec/tolerations", StringComparison.Ordinal));
        }
        else
        {
            Assert.Equal(500, response["status"]!["code"]!.GetValue<int>());
        }
    }

    [Fact]
    public void Handle_PolicyThrows_StillAnswersWithTheUid()
    {
        var policies = Substitute.For<IPolicySource>();
        policies.Current.Returns(_ => throw new InvalidOperationException("boom"));
        var handler = new AdmissionHandler(policies, Options(OnErrorAction.Allow), NullLogger<AdmissionHandler>.Instance);

        var outcome = handler.Handle(Fixtures.ReviewBytes(Fixtures.Pod(Fixtures.GpuWorker), uid: Uid));

        var response = Response(outcome);
        Assert.Equal("error", outcome.Decision);
        Assert.True(response["allowed"]!.GetValue<bool>());
        Assert.Equal(Uid, response["uid"]!.GetValue<string>());
        Assert.Contains(response["warnings"]!.AsArray(), w => w!.GetValue<string>().Contains("boom", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[]", "AdmissionReview object")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}""", "no request object")]
    [InlineData("""{"request":{"operation":"CREATE"}}""", "no request.uid")]
    [InlineData("""{"request":{"uid":""}}""", "no request.uid")]
    public void Handle_UnanswerableRequest_ThrowsBadRequest(string body, string messagePart)
    {
        var e = Assert.Throws<BadAdmissionRequestException>(() => Handler().Handle(Encoding.UTF8.GetBytes(body)));

        Assert.Contains(messagePart, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Handle_ReinvokedOnItsOwnOutput_AnswersWithoutPatch()
    {
        var pod = Fixtures.Pod(Fixtures.HeadWithAutoscaler);
        var handler = Handler();
        var first = Response(handler.Handle(Fixtures.ReviewBytes(pod, uid: Uid)));
        var patched = IndependentJsonPatch.Apply(pod, Convert.FromBase64String(first["patch"]!.GetValue<string>()));

        var second = handler.Handle(Fixtures.ReviewBytes(patched, uid: Uid));

        Assert.Equal("allowed", second.Decision);
        Assert.Null(Response(second)["patch"]);
    }

    [Theory]
    [InlineData(LogLevel.Information, true)]
    [InlineData(LogLevel.Warning, false)]
    public void Handle_LogLine_CarriesTheRequestScope_AndNoScopeIsOpenedForAFilteredLine(LogLevel minimum, bool written)
    {
        var logger = new RecordingLogger(minimum);
        var pod = Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit);

        var outcome = Handler(logger: logger).Handle(Fixtures.ReviewBytes(pod, uid: Uid));

        Assert.Equal("patched", outcome.Decision);
        if (!written)
        {
            Assert.Empty(logger.Lines);
            Assert.Equal(0, logger.ScopesOpened);
            return;
        }

        var (eventId, scope) = Assert.Single(logger.Lines);
        Assert.Equal(100, eventId);
        Assert.Equal(1, logger.ScopesOpened);
        var values = Assert.IsAssignableFrom<IReadOnlyList<KeyValuePair<string, object?>>>(scope);
        Assert.Contains(new KeyValuePair<string, object?>("AdmissionUid", Uid), values);
        Assert.Contains(values, v => v.Key == "RayCluster" && !string.IsNullOrEmpty(v.Value as string));
    }

    private static AdmissionHandler Handler(OnErrorAction onError = OnErrorAction.Allow, ILogger<AdmissionHandler>? logger = null)
    {
        var policies = Substitute.For<IPolicySource>();
        policies.Current.Returns(TestPolicies.ExamplePolicy);
        return new AdmissionHandler(policies, Options(onError), logger ?? NullLogger<AdmissionHandler>.Instance);
    }

    /// <summary>Records each written line with the scope open around it, and how many scopes were opened.</summary>
    private sealed class RecordingLogger(LogLevel minimum) : ILogger<AdmissionHandler>
    {
        private object? current;

        public List<(int EventId, object? Scope)> Lines { get; } = [];

        public int ScopesOpened { get; private set; }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            ScopesOpened++;
            current = state;
            return new Closer(this);
        }

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Lines.Add((eventId.Id, current));
            }
        }

        private sealed class Closer(RecordingLogger logger) : IDisposable
        {
            public void Dispose() => logger.current = null;
        }
    }

    private static IOptionsMonitor<AdmissionOptions> Options(OnErrorAction onError)
    {
        var options = Substitute.For<IOptionsMonitor<AdmissionOptions>>();
        options.CurrentValue.Returns(new AdmissionOptions { OnError = onError });
        return options;
    }

    private static JsonObject Response(AdmissionOutcome outcome) => JsonNode.Parse(outcome.ResponseBody)!["response"]!.AsObject();
}
