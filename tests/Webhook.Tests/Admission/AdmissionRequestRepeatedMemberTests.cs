using System.Text;
using System.Text.Json.Nodes;
using Platform.Webhook.Admission;
using Platform.Webhook.Tests.TestSupport;

namespace Platform.Webhook.Tests.Admission;

/// <summary>A member name repeated where the webhook reads or patches is refused (400); one repeated in an object
/// nothing reads (a managed-fields entry, the status, userInfo, a probe) is the API server's to judge, and the
/// pod is answered as without it.</summary>
public class AdmissionRequestRepeatedMemberTests
{
    /// <summary>Stands for the repeated member in the JSON text: the object that holds it is built as a node, the
    /// repeat is spliced into the serialised text (a node cannot hold a name twice).</summary>
    private const string Marker = "\"repeat-marker\":0";

    /// <summary>Where the repeat goes (pointer of the object holding it, relative to the review) and the member
    /// repeated, as the JSON text that comes after the existing one.</summary>
    public static TheoryData<string, string> ReadByTheWebhook => new()
    {
        { "/request", "\"operation\":\"UPDATE\"" },
        { "/request/resource", "\"resource\":\"services\"" },
        { "/request/kind", "\"kind\":\"Service\"" },
        { "/request/object", "\"spec\":{}" },
        { "/request/object/metadata", "\"labels\":{}" },
        { "/request/object/metadata/labels", "\"ray.io/node-type\":\"head\"" },
        { "/request/object/metadata/annotations", "\"example.com/note\":\"b\"" },
        { "/request/object/spec", "\"containers\":[]" },
        { "/request/object/spec/nodeSelector", "\"pool\":\"b\"" },
        { "/request/object/spec/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/0/matchExpressions/0", "\"operator\":\"NotIn\"" },
        { "/request/object/spec/tolerations/1", "\"effect\":\"NoSchedule\"" },
        { "/request/object/spec/containers/0", "\"args\":[]" },
        { "/request/object/spec/containers/0/resources", "\"limits\":{}" },
        { "/request/object/spec/containers/0/resources/limits", "\"nvidia.com/gpu\":\"4\"" },
        { "/request/object/spec/containers/0/env/1", "\"value\":\"x\"" },
    };

    public static TheoryData<string, string> NotReadByTheWebhook => new()
    {
        { "/request/userInfo", "\"username\":\"mallory\"" },
        { "/request/options", "\"kind\":\"UpdateOptions\"" },
        { "/request/object/metadata/ownerReferences/0", "\"kind\":\"Other\"" },
        { "/request/object/status", "\"phase\":\"Running\"" },
        { "/request/object/spec/securityContext", "\"fsGroup\":2000" },
        { "/request/object/spec/containers/0/livenessProbe", "\"periodSeconds\":1" },
    };

    [Theory]
    [MemberData(nameof(ReadByTheWebhook))]
    public void Parse_NameRepeatedWhereTheCoreReads_IsRefusedNamingWhere(string pointer, string repeat)
    {
        var body = WithRepeat(pointer, repeat);

        var e = Assert.Throws<BadAdmissionRequestException>(() => AdmissionRequest.Parse(body));

        Assert.Contains("not valid JSON", e.Message, StringComparison.Ordinal);
        Assert.Contains($"{pointer} repeats the member \"{repeat[1..repeat.IndexOf('"', 1)]}\"", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(NotReadByTheWebhook))]
    public void Handle_NameRepeatedWhereNothingReads_IsAnsweredAsWithout(string pointer, string repeat)
    {
        var handler = TestHandlers.For(TestPolicies.ExamplePolicy, OnErrorAction.Deny);
        var expected = handler.Handle(WithRepeat(pointer, string.Empty));

        var outcome = handler.Handle(WithRepeat(pointer, repeat));

        Assert.Equal(AdmissionOutcome.Patched, expected.Decision);
        Assert.Equal(Encoding.UTF8.GetString(expected.ResponseBody), Encoding.UTF8.GetString(outcome.ResponseBody));
    }

    [Fact]
    public void Parse_NameRepeatedThroughAnEscape_IsRefused()
    {
        var body = WithRepeat("/request/object/metadata/labels", "\"ray.io/node\\u002dtype\":\"head\"");

        var e = Assert.Throws<BadAdmissionRequestException>(() => AdmissionRequest.Parse(body));

        Assert.Contains("/request/object/metadata/labels repeats the member \"ray.io/node-type\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RepeatAmongThousandsOfLabels_IsRefused()
    {
        var text = Fixtures.Review(WithManyLabels()).ToJsonString().Replace("\"label-15999\":\"x\"", "\"label-15999\":\"x\",\"label-7\":\"y\"", StringComparison.Ordinal);

        var e = Assert.Throws<BadAdmissionRequestException>(() => AdmissionRequest.Parse(Encoding.UTF8.GetBytes(text)));

        Assert.Contains("labels repeats the member \"label-7\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ThousandsOfDistinctLabels_IsAccepted()
    {
        using var request = AdmissionRequest.Parse(Fixtures.ReviewBytes(WithManyLabels()));

        Assert.True(request.IsPodCreate);
    }

    /// <summary>A Ray custom resource is checked whole: its templates lie anywhere in it.</summary>
    [Theory]
    [InlineData("/request/object/spec/workerGroupSpecs/0/template/spec/containers/0/resources/limits", "\"nvidia.com/gpu\":\"8\"")]
    [InlineData("/request/object/spec/workerGroupSpecs/0/rayStartParams", "\"num-gpus\":\"8\"")]
    [InlineData("/request/object/metadata", "\"name\":\"other\"")]
    public void Parse_NameRepeatedInARayCluster_IsRefused(string pointer, string repeat)
    {
        var review = ResourceFixtures.Review(ResourceFixtures.Resource(ResourceFixtures.RayCluster));
        var target = Locate(review, pointer);
        target["repeat-marker"] = 0;
        var text = review.ToJsonString().Replace(Marker, repeat, StringComparison.Ordinal);

        var e = Assert.Throws<BadAdmissionRequestException>(() => AdmissionRequest.Parse(Encoding.UTF8.GetBytes(text)));

        Assert.Contains($"{pointer} repeats the member", e.Message, StringComparison.Ordinal);
    }

    /// <summary>The GPU worker's review with <paramref name="repeat"/> added last to the object at
    /// <paramref name="pointer"/> (created with what the repeat needs where the fixture lacks it); an empty repeat
    /// leaves the review as it is, apart from the objects created.</summary>
    private static byte[] WithRepeat(string pointer, string repeat)
    {
        var pod = Fixtures.Pod(Fixtures.GpuWorker);
        pod["metadata"]!["annotations"] = new JsonObject { ["example.com/note"] = "a" };
        pod["status"] = new JsonObject { ["phase"] = "Pending" };
        pod["spec"]!["nodeSelector"] = new JsonObject { ["pool"] = "a" };
        pod["spec"]!["affinity"] = JsonNode.Parse("""{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"pool","operator":"In","values":["a"]}]}]}}}""");
        var review = Fixtures.Review(pod);
        var target = Locate(review, pointer);
        target["repeat-marker"] = 0;
        var text = review.ToJsonString();
        Assert.Contains(Marker, text, StringComparison.Ordinal);
        text = repeat.Length == 0
            ? text.Replace("," + Marker, string.Empty, StringComparison.Ordinal).Replace(Marker, string.Empty, StringComparison.Ordinal)
            : text.Replace(Marker, repeat, StringComparison.Ordinal);
        return Encoding.UTF8.GetBytes(text);
    }

    private static JsonObject WithManyLabels()
    {
        var pod = Fixtures.Pod(Fixtures.GpuWorker);
        var labels = pod["metadata"]!["labels"]!.AsObject();
        for (var i = 0; i < 16_000; i++)
        {
            labels[$"label-{i}"] = "x";
        }

        return pod;
    }

    private static JsonObject Locate(JsonNode root, string pointer)
    {
        var node = root;
        foreach (var segment in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            node = node is JsonArray array ? array[int.Parse(segment, System.Globalization.CultureInfo.InvariantCulture)]! : node[segment]!;
        }

        return node.AsObject();
    }
}
