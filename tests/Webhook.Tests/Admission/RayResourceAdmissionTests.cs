using System.Text;
using System.Text.Json.Nodes;
using Platform.Webhook.Admission;
using Platform.Webhook.Tests.Hosting;
using Platform.Webhook.Tests.TestSupport;

namespace Platform.Webhook.Tests.Admission;

/// <summary>Ray custom resources through the admission handler on the AdmissionReview bytes, and through the
/// real HTTPS host: the answer echoes the uid, the patch applies with the independent RFC 6902 implementation,
/// dryRun answers the same, malformed resources are allowed untouched with a warning.</summary>
public class RayResourceAdmissionTests
{
    [Theory]
    [InlineData(ResourceFixtures.RayCluster)]
    [InlineData(ResourceFixtures.RayJob)]
    [InlineData(ResourceFixtures.RayService)]
    public void Handle_Create_PatchedAndTheAnswerEchoesTheUid(string fixture)
    {
        var review = ResourceFixtures.Review(ResourceFixtures.Resource(fixture), uid: "uid-" + fixture);

        var answer = Answer(review, out var outcome);

        Assert.Equal(AdmissionOutcome.Patched, outcome.Decision);
        Assert.Equal(fixture.ToLowerInvariant(), outcome.PodKind);
        Assert.Equal("uid-" + fixture, (string?)answer["uid"]);
        Assert.True((bool)answer["allowed"]!);
        var mutated = AdmissionResponses.ApplyPatch(review, answer);
        var again = Answer(ResourceFixtures.Review(mutated, "UPDATE", old: review["request"]!["object"]!.AsObject()), out _);
        Assert.Null(again["patch"]);
        Assert.Equal("patched", (string?)answer["auditAnnotations"]!["decision"]);
    }

    [Fact]
    public void Handle_DryRun_AnswersTheSame()
    {
        var resource = ResourceFixtures.Resource(ResourceFixtures.RayCluster);

        var real = Answer(ResourceFixtures.Review(resource), out _);
        var dry = Answer(ResourceFixtures.Review(resource, dryRun: true), out _);

        Assert.True(JsonNode.DeepEquals(real, dry));
    }

    [Theory]
    [InlineData("DELETE")]
    [InlineData("CONNECT")]
    public void Handle_OtherOperations_AllowedUntouched(string operation)
    {
        var answer = Answer(ResourceFixtures.Review(ResourceFixtures.Resource(ResourceFixtures.RayCluster), operation), out var outcome);

        Assert.Equal(AdmissionOutcome.Allowed, outcome.Decision);
        Assert.Null(answer["patch"]);
    }

    [Fact]
    public void Handle_StatusSubresource_AllowedUntouched()
    {
        var review = ResourceFixtures.Review(ResourceFixtures.Resource(ResourceFixtures.RayCluster), "UPDATE");
        review["request"]!["subResource"] = "status";

        var answer = Answer(review, out _);

        Assert.Null(answer["patch"]);
        Assert.Null(answer["warnings"]);
    }

    [Theory]
    [InlineData("""{"kind":"RayCluster","metadata":{"name":"x"},"spec":{}}""")]
    [InlineData("""{"kind":"RayCluster","metadata":{"name":"x"},"spec":{"headGroupSpec":{"template":"pod"}}}""")]
    [InlineData("\"not an object\"")]
    public void Handle_Malformed_AllowedUntouchedWithAWarning(string json)
    {
        var review = ResourceFixtures.Review(new JsonObject { ["kind"] = "RayCluster" }, uid: "uid-bad");
        review["request"]!["object"] = JsonNode.Parse(json);

        var answer = Answer(review, out var outcome);

        Assert.Equal(AdmissionOutcome.Allowed, outcome.Decision);
        Assert.Equal("uid-bad", (string?)answer["uid"]);
        Assert.True((bool)answer["allowed"]!);
        Assert.Null(answer["patch"]);
        Assert.Contains("untouched", (string?)Assert.Single(answer["warnings"]!.AsArray()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_RayJobOverHttps_PatchAppliedByIndependentRfc6902()
    {
        await using var host = await WebhookTestHost.StartAsync(TestPolicies.Example);
        var review = ResourceFixtures.Review(ResourceFixtures.Resource(ResourceFixtures.RayJob), uid: "uid-https-job");

        using var response = await host.PostAdmissionAsync(review.ToJsonString()).WaitAsync(WebhookTestHost.Timeout);

        var answer = await AdmissionResponses.ReadReviewAsync(response).WaitAsync(WebhookTestHost.Timeout);
        Assert.Equal("uid-https-job", (string?)answer["uid"]);
        var job = AdmissionResponses.ApplyPatch(review, answer);
        var group = job["spec"]!["rayClusterSpec"]!["workerGroupSpecs"]![2]!;
        Assert.Equal("1", (string?)group["template"]!["spec"]!["containers"]![0]!["resources"]!["limits"]!["nvidia.com/gpu"]);
        Assert.Equal("1", (string?)group["rayStartParams"]!["num-gpus"]);
    }

    private static JsonObject Answer(JsonObject review, out AdmissionOutcome outcome)
    {
        var handler = TestHandlers.For(TestPolicies.ExamplePolicy, OnErrorAction.Allow);
        outcome = handler.Handle(Encoding.UTF8.GetBytes(review.ToJsonString()));
        return JsonNode.Parse(outcome.ResponseBody)!["response"]!.AsObject();
    }
}
