using System.Text;
using System.Text.Json.Nodes;
using Platform.Webhook.Admission;
using Platform.Webhook.Tests.TestSupport;

namespace Platform.Webhook.Tests.Admission;

public class AdmissionRequestTests
{
    private const string Uid = "5e1a7c2b-0000-4000-8000-0000000000aa";

    [Fact]
    public void Parse_ObjectBeforeUidAndOperation_StillReadsThePod()
    {
        var pod = Fixtures.Pod(Fixtures.GpuWorker);
        var body = $$$"""{"request":{"object":{{{pod.ToJsonString()}}},"resource":{"resource":"pods","group":""},"operation":"CREATE","uid":"{{{Uid}}}","namespace":"ml-team"},"apiVersion":"admission.k8s.io/v1"}""";

        using var request = AdmissionRequest.Parse(Encoding.UTF8.GetBytes(body));

        Assert.True(request.IsPodCreate);
        Assert.Equal(Uid, request.Uid);
        Assert.Equal("ml-team", request.Namespace);
        Assert.True(JsonNode.DeepEquals(pod["spec"]!["tolerations"], JsonNode.Parse(request.Pod!.Value.GetProperty("spec").GetProperty("tolerations").GetRawText())));
    }

    [Fact]
    public void Parse_NoRequestNamespace_TakesThePods()
    {
        var pod = Fixtures.Pod(Fixtures.GpuWorker);
        pod["metadata"]!["namespace"] = "team-b";
        var body = $$$"""{"request":{"uid":"{{{Uid}}}","resource":{"resource":"pods","group":""},"operation":"CREATE","object":{{{pod.ToJsonString()}}}}}""";

        using var request = AdmissionRequest.Parse(Encoding.UTF8.GetBytes(body));

        Assert.Equal("team-b", request.Namespace);
    }

    [Theory]
    [InlineData("UPDATE", "pods", "")]
    [InlineData("CREATE", "pods", "status")]
    [InlineData("CREATE", "services", "")]
    public void Parse_NotAPodCreate_HasNoPod(string operation, string resource, string subResource)
    {
        var pod = Fixtures.Pod(Fixtures.GpuWorker);
        var body = $$$"""{"apiVersion":"admission.k8s.io/v1","request":{"uid":"{{{Uid}}}","resource":{"group":"","resource":"{{{resource}}}"},"subResource":"{{{subResource}}}","operation":"{{{operation}}}","object":{{{pod.ToJsonString()}}},"dryRun":true}}""";

        using var request = AdmissionRequest.Parse(Encoding.UTF8.GetBytes(body));

        Assert.False(request.IsPodCreate);
        Assert.Null(request.Pod);
        Assert.True(request.DryRun);
    }

    [Theory]
    [InlineData("""{"request":{"uid":"x","object":{"spec":{"volumes":[}}}}""")]
    [InlineData("""{"request":{"uid":"x"}} {}""")]
    [InlineData("""{"request":{"uid":"x"},"kind":"AdmissionReview",}""")]
    [InlineData("")]
    [InlineData("""{"request":{"uid":"x","uid":"y"}}""")]
    [InlineData("""{"request":{"uid":"x","object":{"metadata":{"labels":{"ray.io/node-type":"worker","ray.io/node-type":"head"}}}}}""")]
    public void Parse_InvalidJsonAnywhere_IsNotValidJson(string body)
    {
        var e = Assert.Throws<BadAdmissionRequestException>(() => AdmissionRequest.Parse(Encoding.UTF8.GetBytes(body)));

        Assert.Contains("not valid JSON", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"request":[]}""", "no request object")]
    [InlineData("""{"request":null}""", "no request object")]
    [InlineData("""{"request":{"uid":7}}""", "no request.uid")]
    [InlineData("""{"request":{"uid":""}}""", "no request.uid")]
    [InlineData("""[{"request":{"uid":"x"}}]""", "AdmissionReview object")]
    public void Parse_WrongShapes_SayWhatIsWrong(string body, string messagePart)
    {
        var e = Assert.Throws<BadAdmissionRequestException>(() => AdmissionRequest.Parse(Encoding.UTF8.GetBytes(body)));

        Assert.Contains(messagePart, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PodName_LoneSurrogateInGenerateName_FallsBackInsteadOfThrowing()
    {
        var body = """{"request":{"uid":"UID","resource":{"resource":"pods","group":""},"operation":"CREATE","object":{"metadata":{"generateName":"w-\ud800-","name":"w-1"}}}}""".Replace("UID", Uid, StringComparison.Ordinal);

        using var request = AdmissionRequest.Parse(Encoding.UTF8.GetBytes(body));

        Assert.Equal("w-1", request.PodName());
    }
}
