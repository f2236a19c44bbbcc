using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Platform.Webhook.Admission;
using Platform.Webhook.Policy;
using Platform.Webhook.Tests.Hosting;

namespace Platform.Webhook.Tests.Admission;

/// <summary>AdmissionReviews over real HTTPS against the real host.</summary>
public sealed class AdmissionEndpointTests
{
    [Fact]
    public async Task Mutate_PodWithoutRayLabels_AllowedWithoutPatchAndUidEchoed()
    {
        await using var host = await WebhookTestHost.StartAsync();

        using var response = await host.PostAdmissionAsync(AdmissionReviews.PlainPod("uid-plain-1").ToJsonString());

        var answer = await AdmissionResponses.ReadReviewAsync(response);
        Assert.Equal("uid-plain-1", (string?)answer["uid"]);
        Assert.True((bool)answer["allowed"]!);
        Assert.Null(answer["patch"]);
        Assert.Null(answer["patchType"]);
    }

    [Fact]
    public async Task Mutate_GpuWorker_PatchAppliedByIndependentRfc6902GivesA10gPod()
    {
        await using var host = await WebhookTestHost.StartAsync(HostTestPolicies.A10g);
        var review = AdmissionReviews.GpuWorker("uid-worker-1");

        using var response = await host.PostAdmissionAsync(review.ToJsonString());

        var answer = await AdmissionResponses.ReadReviewAsync(response);
        Assert.Equal("uid-worker-1", (string?)answer["uid"]);
        Assert.True((bool)answer["allowed"]!);
        var pod = AdmissionResponses.ApplyPatch(review, answer);
        Assert.Equal("NVIDIA-A10G", (string?)pod["spec"]!["nodeSelector"]!["nvidia.com/gpu.product"]);
        Assert.Equal("a10g", (string?)pod["metadata"]!["annotations"]!["raygpu.io/policy"]);
        var tolerations = pod["spec"]!["tolerations"]!.AsArray();
        Assert.Contains(tolerations, t => (string?)t!["key"] == "nvidia.com/gpu" && (string?)t["operator"] == "Exists");
        // Untouched by the webhook: the labels KubeRay feeds to Ray and the GPU count the pod already had.
        Assert.Equal("raycluster-gpu", (string?)pod["metadata"]!["labels"]!["ray.io/cluster"]);
        Assert.Equal("1", (string?)pod["spec"]!["containers"]![0]!["resources"]!["limits"]!["nvidia.com/gpu"]);
    }

    [Fact]
    public async Task Mutate_DryRun_SameAnswerAsARealCreate()
    {
        await using var host = await WebhookTestHost.StartAsync(HostTestPolicies.A10g);
        var real = AdmissionReviews.GpuWorker("uid-same");
        var dry = AdmissionReviews.GpuWorker("uid-same");
        dry["request"]!["dryRun"] = true;

        using var realResponse = await host.PostAdmissionAsync(real.ToJsonString());
        using var dryResponse = await host.PostAdmissionAsync(dry.ToJsonString());

        var realAnswer = await AdmissionResponses.ReadReviewAsync(realResponse);
        var dryAnswer = await AdmissionResponses.ReadReviewAsync(dryResponse);
        Assert.NotNull(realAnswer["patch"]);
        Assert.True(JsonNode.DeepEquals(realAnswer, dryAnswer), $"{realAnswer.ToJsonString()}\n!=\n{dryAnswer.ToJsonString()}");
    }

    [Fact]
    public async Task Mutate_UnknownProfileAnnotation_DeniedWithReason()
    {
        await using var host = await WebhookTestHost.StartAsync(HostTestPolicies.A10g);

        using var response = await host.PostAdmissionAsync(AdmissionReviews.GpuWorkerWithProfile("b200", "uid-deny-1").ToJsonString());

        var answer = await AdmissionResponses.ReadReviewAsync(response);
        Assert.Equal("uid-deny-1", (string?)answer["uid"]);
        Assert.False((bool)answer["allowed"]!);
        Assert.Null(answer["patch"]);
        var message = (string?)answer["status"]!["message"];
        Assert.Contains("b200", message, StringComparison.Ordinal);
        Assert.Contains("a10g", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mutate_OverHttp2AndHttp11_BothAnswered()
    {
        await using var host = await WebhookTestHost.StartAsync();
        foreach (var version in new[] { HttpVersion.Version11, HttpVersion.Version20 })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"https://127.0.0.1:{host.AdmissionPort}/mutate"))
            {
                Version = version,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Content = new StringContent(AdmissionReviews.PlainPod($"uid-{version}").ToJsonString(), Encoding.UTF8, "application/json"),
            };

            using var response = await host.Https.SendAsync(request).WaitAsync(WebhookTestHost.Timeout);

            Assert.Equal(version, response.Version);
            Assert.Equal($"uid-{version}", (string?)(await AdmissionResponses.ReadReviewAsync(response))["uid"]);
        }
    }

    [Fact]
    public async Task Mutate_NotPost_405WithAllowHeader()
    {
        await using var host = await WebhookTestHost.StartAsync();

        using var response = await host.Https.GetAsync(new Uri($"https://127.0.0.1:{host.AdmissionPort}/mutate")).WaitAsync(WebhookTestHost.Timeout);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["POST"], response.Content.Headers.Allow);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/yaml")]
    [InlineData("application/jsonx")]
    [InlineData(null)]
    public async Task Mutate_NotJsonContentType_415(string? contentType)
    {
        await using var host = await WebhookTestHost.StartAsync();

        using var response = await host.PostAdmissionAsync(Encoding.UTF8.GetBytes(AdmissionReviews.PlainPod("u").ToJsonString()), contentType);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task Mutate_JsonWithCharsetParameter_Accepted()
    {
        await using var host = await WebhookTestHost.StartAsync();

        using var response = await host.PostAdmissionAsync(Encoding.UTF8.GetBytes(AdmissionReviews.PlainPod("uid-charset").ToJsonString()), "application/json; charset=utf-8");

        Assert.Equal("uid-charset", (string?)(await AdmissionResponses.ReadReviewAsync(response))["uid"]);
    }

    [Fact]
    public async Task Mutate_BodyOver3MiB_413()
    {
        await using var host = await WebhookTestHost.StartAsync();
        var body = new byte[(3 * 1024 * 1024) + 1];
        Array.Fill(body, (byte)' ');

        using var response = await host.PostAdmissionAsync(body, "application/json");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Mutate_BodyOver3MiBWithoutContentLength_413()
    {
        await using var host = await WebhookTestHost.StartAsync();
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)' ');
        using var content = new ChunkedContent(chunk, 49);
        content.Headers.ContentType = new("application/json");

        using var response = await host.Https.PostAsync(new Uri($"https://127.0.0.1:{host.AdmissionPort}/mutate"), content).WaitAsync(WebhookTestHost.Timeout);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Theory]
    [InlineData("this is not json", "not valid JSON")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"operation":"CREATE"}}""", "request.uid")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}""", "request")]
    public async Task Mutate_UndecodableOrNoUid_400WithMessage(string body, string expectedInMessage)
    {
        await using var host = await WebhookTestHost.StartAsync();

        using var response = await host.PostAdmissionAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expectedInMessage, await response.Content.ReadAsStringAsync().WaitAsync(WebhookTestHost.Timeout), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mutate_HandlerFails_AllowedWithWarningAndUidEchoed()
    {
        await using var host = await WebhookTestHost.StartAsync(replaceServices: FailingPolicySource.Install);

        using var response = await host.PostAdmissionAsync(AdmissionReviews.GpuWorker("uid-fail-allow").ToJsonString());

        var answer = await AdmissionResponses.ReadReviewAsync(response);
        Assert.Equal("uid-fail-allow", (string?)answer["uid"]);
        Assert.True((bool)answer["allowed"]!);
        Assert.Null(answer["patch"]);
        Assert.Contains(AdmissionResponses.Warnings(answer), w => w.Contains("internal error", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Mutate_HandlerFailsWithOnErrorDeny_DeniedAndUidEchoed()
    {
        await using var host = await WebhookTestHost.StartAsync(extraArgs: ["--Admission:OnError=deny"], replaceServices: FailingPolicySource.Install);

        using var response = await host.PostAdmissionAsync(AdmissionReviews.GpuWorker("uid-fail-deny").ToJsonString());

        var answer = await AdmissionResponses.ReadReviewAsync(response);
        Assert.Equal("uid-fail-deny", (string?)answer["uid"]);
        Assert.False((bool)answer["allowed"]!);
        Assert.Contains("internal error", (string?)answer["status"]!["message"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("allow", true)]
    [InlineData("deny", false)]
    public async Task Mutate_HandlerThrowsPastItsOwnGuard_EndpointStillAnswersPerOnErrorWithUid(string onError, bool allowed)
    {
        await using var host = await WebhookTestHost.StartAsync(extraArgs: [$"--Admission:OnError={onError}"], replaceServices: ThrowingScopeLogger.Install);

        using var response = await host.PostAdmissionAsync(AdmissionReviews.GpuWorker("uid-last-resort").ToJsonString());

        var answer = await AdmissionResponses.ReadReviewAsync(response);
        Assert.Equal("uid-last-resort", (string?)answer["uid"]);
        Assert.Equal(allowed, (bool)answer["allowed"]!);
        var (_, metrics) = await host.GetHealthAsync("/metrics");
        Assert.Equal(1, Diagnostics.MetricsText.Value(metrics, "raygpu_webhook_errors_total"));
    }

    /// <summary>The policy source is the seam the handler reads on every pod; breaking it makes the handler fail.</summary>
    private sealed class FailingPolicySource : IPolicySource
    {
        public GpuPolicy Current => throw new InvalidOperationException("policy source broken by the test");

        public static void Install(IServiceCollection services) => services.AddSingleton<IPolicySource, FailingPolicySource>();
    }

    /// <summary>A logger whose BeginScope throws: the handler opens its request scope around the log line after
    /// the mutation, outside its own try/catch, so this is a fault only the HTTP edge's last-resort answer can catch.</summary>
    private sealed class ThrowingScopeLogger : ILogger<AdmissionHandler>
    {
        public static void Install(IServiceCollection services) => services.AddSingleton<ILogger<AdmissionHandler>, ThrowingScopeLogger>();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => throw new InvalidOperationException("logging scope broken by the test");

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
        }
    }

    /// <summary>A body sent in chunks with no Content-Length, so only the streaming check can see its size.</summary>
    private sealed class ChunkedContent(byte[] chunk, int count) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            for (var i = 0; i < count; i++)
            {
                await stream.WriteAsync(chunk);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
